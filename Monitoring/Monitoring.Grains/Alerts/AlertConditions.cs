using System.Globalization;
using Caas.Contracts.Alerts;
using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>
/// Which alert conditions hold for each job, folded from job events: a stall begins a Stalled condition that progress
/// or a restore ends; starvation a Starved one that ends when the job is back at its pace (or ends); a job that fails
/// begins Failed and a recovery that gives up RecoveryFailed, both ended when the job is restored. Only beginnings and
/// ends are reported; the lifecycle (pending, firing, acknowledged) is <see cref="AlertLifecycle"/>'s.
/// </summary>
public sealed class AlertConditions
{
    private readonly Lock _gate = new();
    private readonly HashSet<(string JobId, AlertKind Kind)> _holding = [];

    /// <summary>The conditions that hold, for the alerts projection's checkpoint.</summary>
    public IReadOnlyList<HeldCondition> Holding()
    {
        lock (_gate)
            return _holding.Select(h => new HeldCondition(h.JobId, h.Kind)).ToArray();
    }

    /// <summary>Replaces what holds with a saved <see cref="Holding"/>; empty forgets everything.</summary>
    public void Restore(IEnumerable<HeldCondition> holding)
    {
        lock (_gate)
        {
            _holding.Clear();
            foreach (var held in holding)
                _holding.Add((held.JobId, held.Kind));
        }
    }

    /// <param name="job">The job as it is after <paramref name="jobEvent"/>.</param>
    /// <returns>Conditions that began or ended with this event, in that order.</returns>
    public IReadOnlyList<AlertCondition> Apply(IJobEvent jobEvent, JobState job)
    {
        ArgumentNullException.ThrowIfNull(jobEvent);
        ArgumentNullException.ThrowIfNull(job);
        var changes = new List<AlertCondition>();
        lock (_gate)
        {
            switch (jobEvent)
            {
                case JobStalled stalled:
                    Begin(changes, job, AlertKind.Stalled, StallMessage(stalled, job), stalled.At);
                    break;
                case JobStarved starved:
                    Begin(changes, job, AlertKind.Starved, StarvationMessage(starved), starved.At);
                    break;
                case JobExited or JobStartFailed when job.Status == JobStatus.Failed:
                    Begin(changes, job, AlertKind.Failed, job.StatusReason ?? "failed", jobEvent.At);
                    break;
                case RecoveryFinished { Succeeded: false } finished:
                    Begin(changes, job, AlertKind.RecoveryFailed, $"recovery gave up: {finished.Outcome}", finished.At);
                    break;
                case RecoveryFinished { Succeeded: true } finished:
                    End(changes, job, AlertKind.RecoveryFailed, finished.At);
                    break;
                case JobRestored restored:
                    End(changes, job, AlertKind.Failed, restored.At);
                    End(changes, job, AlertKind.RecoveryFailed, restored.At);
                    break;
            }
            if (!job.IsStalled)
                End(changes, job, AlertKind.Stalled, jobEvent.At);
            if (!job.IsStarved)
                End(changes, job, AlertKind.Starved, jobEvent.At);
        }
        return changes;
    }

    /// <summary>Says a stopped process is stopped: then the fix is a SIGCONT, not a restore.</summary>
    private static string StallMessage(JobStalled stalled, JobState job) =>
        $"no progress for {DurationText.Of(stalled.At - stalled.LastProgressAt)} (threshold {DurationText.Of(stalled.Threshold)})"
        + (stalled.Ranks is { Count: > 0 } ranks ? $"; stalled by {string.Join(", ", ranks.Select(r => r.Describe()))}"
            : job.IsProcessStopped ? $"; the process is stopped (state {job.ProcessState})" : "");

    private static string StarvationMessage(JobStarved starved) =>
        string.Create(CultureInfo.InvariantCulture,
            $"starved ({starved.Cause.ToString().ToLowerInvariant()}): {starved.Rate / starved.BaselineRate * 100:0} % of its usual pace over {DurationText.Of(starved.Window)}; {starved.Detail}");

    private static AlertSubject SubjectOf(JobState job) => new(job.JobId, job.Name, job.NodeId, job.Spec?.Pool);

    private void Begin(List<AlertCondition> changes, JobState job, AlertKind kind, string message, DateTimeOffset at)
    {
        if (_holding.Add((job.JobId, kind)))
            changes.Add(new AlertCondition(kind, SubjectOf(job), Holds: true, message, at));
    }

    private void End(List<AlertCondition> changes, JobState job, AlertKind kind, DateTimeOffset at)
    {
        if (_holding.Remove((job.JobId, kind)))
            changes.Add(new AlertCondition(kind, SubjectOf(job), Holds: false, "", at));
    }
}
