namespace Caas.Monitoring.Grains.Swap;

/// <summary>
/// The swap rules, pure so that they can be checked on a fake clock. Swap-out: a job that finds no free slot in its pool
/// takes the slot of the running job with the lowest priority, strictly below its own; a job swapped in less than the
/// cooldown ago is left alone (anti-thrash), and of equals the one running longest goes, then by job id, so the choice
/// is stable. Swap-in: when a slot frees, the waiting job with the highest priority comes back first, the one swapped
/// out earliest first within a priority. Waiting ages a job: every <see cref="AgingStep"/> in storage counts as one more
/// point of priority in that order, so a steady stream of higher-priority swap-outs cannot keep a low one out for ever.
/// </summary>
public static class SwapPlanner
{
    /// <summary>How long a job just swapped in keeps its slot whatever arrives.</summary>
    public static readonly TimeSpan DefaultCooldown = TimeSpan.FromMinutes(2);

    /// <summary>How long a swapped-out job waits to gain one point of priority in the swap-in order.</summary>
    public static readonly TimeSpan AgingStep = TimeSpan.FromMinutes(5);

    public static SwapChoice ChooseVictim(int priority, IEnumerable<SwapCandidate> running, DateTimeOffset now, TimeSpan cooldown)
    {
        ArgumentNullException.ThrowIfNull(running);
        if (cooldown < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(cooldown), cooldown, "A cooldown cannot be negative.");
        var lower = running.Where(j => j.Priority < priority).ToArray();
        if (lower.Length == 0)
            return SwapChoice.None($"no running job has a priority below {priority}");
        var movable = lower.Where(j => !j.SwappedIn || now - j.RunningSince >= cooldown).ToArray();
        if (movable.Length == 0)
        {
            var free = lower.Min(j => j.RunningSince + cooldown);
            return SwapChoice.None($"every running job of lower priority was swapped in less than {cooldown.TotalSeconds:0} s ago (the first may be swapped out at {free:u})");
        }
        return SwapChoice.Of(movable
            .OrderBy(j => j.Priority)
            .ThenBy(j => j.RunningSince)
            .ThenBy(j => j.JobId, StringComparer.Ordinal)
            .First());
    }

    /// <summary>The waiting jobs in the order they get freed slots, at <paramref name="now"/>.</summary>
    public static IReadOnlyList<SwappedOutJob> SwapInOrder(IEnumerable<SwappedOutJob> waiting, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        return waiting
            .OrderByDescending(j => AgedPriority(j, now))
            .ThenBy(j => j.SwappedOutAt)
            .ThenBy(j => j.JobId, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>The job's priority plus one for every whole <see cref="AgingStep"/> it has waited swapped out.</summary>
    public static long AgedPriority(SwappedOutJob job, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        var waited = now - job.SwappedOutAt;
        return job.Priority + (waited <= TimeSpan.Zero ? 0 : waited.Ticks / AgingStep.Ticks);
    }
}
