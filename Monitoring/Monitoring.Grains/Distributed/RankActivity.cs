using Caas.Contracts.Events;
using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Grains.Distributed;

/// <summary>
/// The samples of a distributed job's ranks, as its grain holds them in memory. Every sample is folded here (is the rank
/// moving: CPU time or I/O bytes growing, as for an ordinary job), but only what the job's history needs becomes an event
/// (<see cref="RankActivityRecorded"/>): a change of the rank's process state (a SIGSTOP, a SIGCONT), a rank of a stalled
/// job moving again (which ends the stall), and otherwise its activity at most once per <see cref="RefreshFor"/>. A busy
/// rank thus costs one event a minute or less, not one per heartbeat. What memory knows beyond the record (a rank that
/// moved since its last event) is lost with the grain's activation; the stall detector never counts silence from before
/// the activation, so that loss can never raise a stall.
/// </summary>
public sealed class RankActivity
{
    private static readonly TimeSpan LongestRefresh = TimeSpan.FromMinutes(1);
    private readonly Dictionary<int, Seen> _seen = [];

    /// <summary>The last sample of a rank's current run, and when that run last moved (as far as this activation saw).</summary>
    private sealed record Seen(string NodeId, int Generation, JobSample Sample, DateTimeOffset? MovedAt);

    /// <summary>How old a rank's recorded activity may grow before a sample that moved is recorded: a quarter of the job's stall threshold, at most a minute.</summary>
    public static TimeSpan RefreshFor(TimeSpan stallThreshold) => stallThreshold / 4 < LongestRefresh ? stallThreshold / 4 : LongestRefresh;

    /// <summary>Folds in a sample of a rank that runs on <paramref name="nodeId"/> (the caller checked that).</summary>
    /// <returns>The event to record, or null when the sample changes nothing the history needs.</returns>
    public RankActivityRecorded? Observe(JobState job, RankView rank, string nodeId, RankSample sample, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(rank);
        ArgumentNullException.ThrowIfNull(sample);
        var before = SameRun(rank.Rank, nodeId, sample.Generation, sample.Sample.Pid);
        // The first sample of a run is its baseline: counters are cumulative, so one look says nothing about moving.
        var moved = before is not null && ShowsWork(before.Sample, sample.Sample);
        var movedAt = moved ? at : before?.MovedAt;
        _seen[rank.Rank] = new Seen(nodeId, sample.Generation, sample.Sample, movedAt);

        var recorded = rank.LastActivityAt;
        var stateChanged = sample.Sample.State != rank.ProcessState;
        var endsStall = moved && job.IsStalled && job.StalledRanks.Contains(rank.Rank);
        var stale = moved && (recorded is null || at - recorded >= RefreshFor(job.Spec!.StallThreshold));
        if (!stateChanged && !endsStall && !stale)
            return null;
        return new RankActivityRecorded(job.JobId, rank.Rank, nodeId, sample.Sample.State, Latest(movedAt, recorded), moved, at);
    }

    /// <summary>When the rank last showed activity: its own newest (remembered or recorded), never before the job (re)started.</summary>
    public DateTimeOffset? LastActivity(JobState job, RankView rank)
    {
        var remembered = _seen.TryGetValue(rank.Rank, out var seen) && seen.NodeId == rank.NodeId ? seen.MovedAt : null;
        return Latest(Latest(remembered, rank.LastActivityAt), job.LastActivityAt);
    }

    /// <summary>The job's ranks with what memory knows of their activity beyond the record, for the job's view.</summary>
    public IReadOnlyList<RankView> Overlay(JobState job) =>
        [.. job.Ranks.Select(r => r.State == RankState.Running ? r with { LastActivityAt = Latest(r.LastActivityAt, LastActivity(job, r)) } : r)];

    private Seen? SameRun(int rank, string nodeId, int generation, int pid) =>
        _seen.TryGetValue(rank, out var seen) && seen.NodeId == nodeId && seen.Generation == generation && seen.Sample.Pid == pid ? seen : null;

    private static bool ShowsWork(JobSample before, JobSample now) =>
        now.CpuSeconds > before.CpuSeconds || now.ReadBytes > before.ReadBytes || now.WriteBytes > before.WriteBytes;

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
