namespace Caas.Monitoring.Grains;

/// <summary>The rules that keep a job restorable when someone deletes one of its checkpoints.</summary>
public static class CheckpointDeletion
{
    /// <returns>Why checkpoint <paramref name="sequence"/> must stay, or null when it may be deleted.</returns>
    public static string? RefusalFor(JobState job, int sequence)
    {
        if (job.NewestVerifiedCheckpoint == sequence)
            return $"checkpoint {sequence} is the newest verified checkpoint of job {job.JobId}; the last verified one is never deleted (verify a newer one first)";
        if (job.Checkpoints.Where(c => c.ParentSequence == sequence).Select(c => c.Sequence).Order().ToArray() is [_, ..] children)
            return $"checkpoint {sequence} of job {job.JobId} is the parent of checkpoint {string.Join(", ", children)}, which cannot be restored without it";
        if (job.RestoringSequence == sequence)
            return $"job {job.JobId} is being restored from checkpoint {sequence}";
        return null;
    }
}
