using System.Globalization;
using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.ReadModels;

/// <summary>
/// Alerts folded from job events: a stall opens a Stalled alert that progress or a restore resolves; starvation a
/// Starved alert that ends when the job is back at its pace (or ends); a job that fails opens a Failed alert and a recovery that gives up a RecoveryFailed one, both resolved when the job is restored.
/// </summary>
public sealed class AlertProjection
{
    /// <summary>Resolved alerts kept for the portal; older ones only live in the job streams.</summary>
    public const int ResolvedKept = 500;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string JobId, AlertKind Kind), AlertView> _open = [];
    private readonly Queue<AlertView> _resolved = new();

    /// <param name="job">The job as it is after <paramref name="jobEvent"/>.</param>
    public void Apply(IJobEvent jobEvent, JobState job)
    {
        ArgumentNullException.ThrowIfNull(jobEvent);
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            switch (jobEvent)
            {
                case JobStalled stalled:
                    Open(job, AlertKind.Stalled, StallMessage(stalled, job), stalled.At);
                    break;
                case JobStarved starved:
                    Open(job, AlertKind.Starved, StarvationMessage(starved), starved.At);
                    break;
                case JobExited or JobStartFailed when job.Status == JobStatus.Failed:
                    Open(job, AlertKind.Failed, job.StatusReason ?? "failed", jobEvent.At);
                    break;
                case RecoveryFinished { Succeeded: false } finished:
                    Open(job, AlertKind.RecoveryFailed, $"recovery gave up: {finished.Outcome}", finished.At);
                    break;
                case RecoveryFinished { Succeeded: true } finished:
                    Resolve(job.JobId, AlertKind.RecoveryFailed, finished.At);
                    break;
                case JobRestored restored:
                    Resolve(job.JobId, AlertKind.Failed, restored.At);
                    Resolve(job.JobId, AlertKind.RecoveryFailed, restored.At);
                    break;
            }
            if (!job.IsStalled)
                Resolve(job.JobId, AlertKind.Stalled, jobEvent.At);
            if (!job.IsStarved)
                Resolve(job.JobId, AlertKind.Starved, jobEvent.At);
        }
    }

    /// <summary>Open alerts newest first, then (when asked) resolved ones most recently resolved first.</summary>
    public IReadOnlyList<AlertView> List(bool includeResolved)
    {
        lock (_gate)
        {
            var open = _open.Values.OrderByDescending(a => a.RaisedAt).ThenBy(a => a.JobId, StringComparer.Ordinal);
            return includeResolved
                ? open.Concat(_resolved.Reverse().OrderByDescending(a => a.ResolvedAt)).ToArray()
                : open.ToArray();
        }
    }

    /// <summary>Says a stopped process is stopped: then the fix is a SIGCONT, not a restore.</summary>
    private static string StallMessage(JobStalled stalled, JobState job) =>
        $"no progress for {DurationText.Of(stalled.At - stalled.LastProgressAt)} (threshold {DurationText.Of(stalled.Threshold)})"
        + (job.IsProcessStopped ? $"; the process is stopped (state {job.ProcessState})" : "");

    private static string StarvationMessage(JobStarved starved) =>
        string.Create(CultureInfo.InvariantCulture,
            $"starved ({starved.Cause.ToString().ToLowerInvariant()}): {starved.Rate / starved.BaselineRate * 100:0} % of its usual pace over {DurationText.Of(starved.Window)}; {starved.Detail}");

    private void Open(JobState job, AlertKind kind, string message, DateTimeOffset at) =>
        _open.TryAdd((job.JobId, kind), new AlertView { JobId = job.JobId, JobName = job.Name, Kind = kind, Message = message, RaisedAt = at });

    private void Resolve(string jobId, AlertKind kind, DateTimeOffset at)
    {
        if (!_open.Remove((jobId, kind), out var alert))
            return;
        _resolved.Enqueue(alert with { ResolvedAt = at });
        while (_resolved.Count > ResolvedKept)
            _resolved.Dequeue();
    }
}
