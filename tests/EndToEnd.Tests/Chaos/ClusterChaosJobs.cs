using Caas.Contracts.Jobs;
using Caas.Contracts.Views;
using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests.Chaos;

/// <summary>Jobs that report progress on the chaos cluster, each with a checkpoint, started before a fault is injected.</summary>
public static class ClusterChaosJobs
{
    public static object Spec(string name, string pool, TimeSpan stallThreshold) => new
    {
        command = RepositoryLayout.NativeBinary("counter"),
        args = new[] { "--target", CounterJob.Target.ToString(), "--rate", "20" },
        name,
        pool,
        stallThresholdSeconds = (int)stallThreshold.TotalSeconds,
    };

    /// <summary>Submits a job to the pool, waits until it runs with progress and has checkpoint 1.</summary>
    public static async Task<JobView> StartCheckpointedAsync(SeparateProcessCluster cluster, string name, string pool, TimeSpan stallThreshold)
    {
        var job = await cluster.Api.SubmitAsync(Spec(name, pool, stallThreshold));
        await cluster.Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, ChaosInvariants.Patience, "running with progress");
        var sequence = await cluster.Api.CheckpointAsync(job.JobId);
        return await cluster.Api.WaitForJobAsync(job.JobId, j => j.Checkpoints.Any(c => c.Sequence == sequence), ChaosInvariants.Patience, $"checkpoint {sequence}");
    }

    public static async Task<Dictionary<string, IReadOnlyList<TimelineEntry>>> AcknowledgedAsync(SeparateProcessCluster cluster, params JobView[] jobs)
    {
        var acknowledged = new Dictionary<string, IReadOnlyList<TimelineEntry>>();
        foreach (var job in jobs)
            acknowledged[job.JobId] = await ChaosInvariants.AcknowledgedAsync(cluster.Api, job.JobId);
        return acknowledged;
    }

    public static async Task KillAllAsync(SeparateProcessCluster cluster, params JobView[] jobs)
    {
        foreach (var job in jobs)
        {
            try { await cluster.Api.KillAsync(job.JobId); }
            catch (Exception error) when (error is HttpRequestException or ApiRejectedException) { }
        }
    }
}
