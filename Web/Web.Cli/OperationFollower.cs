using System.Diagnostics;
using System.Text.Json;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.Web.Cli;

/// <summary>
/// Follows a checkpoint, a restore or a checkpoint's verification the platform carries out in the background, by reading
/// the job (its recovery incident, or its checkpoint catalog entry) until the operation ends, and shows where it is on a <see cref="ProgressLine"/>. Returns the exit code:
/// <see cref="ExitCodes.Ok"/> when it succeeded, <see cref="ExitCodes.Failed"/> when the platform reports it failed,
/// <see cref="ExitCodes.TimedOut"/> when it had not ended within the timeout (it may still end later).
/// </summary>
public sealed class OperationFollower(PlatformApi api, ProgressLine progress, TextWriter output, TextWriter error, TimeSpan timeout, TimeSpan? pollInterval = null)
{
    private readonly TimeSpan poll = pollInterval ?? TimeSpan.FromMilliseconds(250);

    public async Task<int> CheckpointAsync(string jobId, int sequence, bool stops, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var job = await GetJobAsync(jobId, ct);
            if (job.Checkpoints.FirstOrDefault(c => c.Sequence == sequence) is { } taken)
            {
                if (stops && job.Status == JobStatus.Running)
                {
                    progress.Show(0.9, $"checkpoint {sequence} taken, stopping {jobId}", clock.Elapsed);
                }
                else
                {
                    progress.Show(1, $"checkpoint {sequence} taken", clock.Elapsed);
                    progress.Done();
                    output.WriteLine($"Checkpoint {sequence} of {jobId} taken: {TextOutput.Bytes(taken.SizeBytes)} in {taken.Duration.TotalSeconds:0.00} s at {TextOutput.Percent(taken.Progress)}{(stops ? $"; the job is {(job.Suspended ? "suspended" : job.Status.ToString())}" : "")}.");
                    return ExitCodes.Ok;
                }
            }
            else if (job.PendingCheckpoint == sequence)
                progress.Show(0.5, $"checkpoint {sequence} of {jobId}: the node is taking the image", clock.Elapsed);
            else
            {
                progress.Done();
                var reason = await EventSummaryAsync(jobId, "CheckpointFailed", ct) ?? $"the job is {job.Status} and has no checkpoint {sequence}";
                await error.WriteLineAsync($"caas-cli: checkpoint {sequence} of {jobId} failed: {reason}");
                return ExitCodes.Failed;
            }
            if (await TimedOutAsync(clock, $"checkpoint {sequence} of {jobId}", ct))
                return ExitCodes.TimedOut;
        }
    }

    /// <summary>Until the job runs on the target; a job running again on its old node means the move failed there.</summary>
    public async Task<int> MigrationAsync(MigrationStarted started, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var stopped = false;
        while (true)
        {
            var job = await GetJobAsync(started.JobId, ct);
            var taken = job.Checkpoints.Any(c => c.Sequence == started.Sequence);
            if (job.Status == JobStatus.Running && job.NodeId == started.TargetNodeId)
            {
                progress.Show(1, $"running on {started.TargetNodeId}", clock.Elapsed);
                progress.Done();
                output.WriteLine($"{started.JobId} runs on {started.TargetNodeId} at {TextOutput.Percent(job.Progress)}.");
                return ExitCodes.Ok;
            }
            stopped |= job.Status != JobStatus.Running;
            if (job.Status == JobStatus.Running && (stopped || (!taken && job.PendingCheckpoint != started.Sequence)))
            {
                progress.Done();
                await error.WriteLineAsync($"caas-cli: {started.JobId} did not move to {started.TargetNodeId}; it runs on {job.NodeId} ({job.StatusReason ?? "see `caas events`"}).");
                return ExitCodes.Failed;
            }
            var (fraction, step) = !taken ? (0.25, $"checkpoint {started.Sequence} on {started.SourceNodeId}")
                : job.Status == JobStatus.Restoring ? (0.75, $"restoring on {started.TargetNodeId}")
                : (0.5, $"sending the image to {started.TargetNodeId}");
            progress.Show(fraction, step, clock.Elapsed);
            if (await TimedOutAsync(clock, $"the move of {started.JobId}", ct))
                return ExitCodes.TimedOut;
        }
    }

    public async Task<int> RestoreAsync(string jobId, Guid incidentId, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var incidents = PlatformApi.Read<List<RecoveryIncident>>(await api.GetAsync($"jobs/{Uri.EscapeDataString(jobId)}/incidents", ct));
            var incident = incidents.FirstOrDefault(i => i.IncidentId == incidentId);
            if (incident is { EndedAt: not null })
            {
                progress.Show(1, incident.Succeeded == true ? "restored and running" : "restore failed", clock.Elapsed);
                progress.Done();
                if (incident.Succeeded == true)
                {
                    output.WriteLine($"{jobId} restored from checkpoint {incident.Sequence} on {incident.NodeId} and running again at {TextOutput.Percent(incident.ResumedProgress)}.");
                    return ExitCodes.Ok;
                }
                await error.WriteLineAsync($"caas-cli: restore of {jobId} failed: {incident.Outcome}");
                return ExitCodes.Failed;
            }
            var (fraction, step) = incident switch
            {
                null => (0.1, "restore requested"),
                { RestoredAt: null } => (0.33, $"restoring from checkpoint {incident.Sequence} on {incident.NodeId}"),
                { VerifiedAt: null } => (0.66, $"restored as pid {incident.RestoredPid}; waiting for its first progress"),
                _ => (0.9, "verified; closing the incident"),
            };
            progress.Show(fraction, step, clock.Elapsed);
            if (await TimedOutAsync(clock, $"the restore of {jobId}", ct))
                return ExitCodes.TimedOut;
        }
    }

    /// <summary>
    /// Until the checkpoint has a verdict newer than <paramref name="earlierVerdictAt"/> (the one it had before this
    /// verification was asked for, if any): <see cref="ExitCodes.Ok"/> when the test restore succeeded,
    /// <see cref="ExitCodes.Failed"/> when it failed or the checkpoint was deleted meanwhile. With <paramref name="json"/>
    /// the final catalog entry is printed as the API gives it, instead of a sentence.
    /// </summary>
    public async Task<int> VerificationAsync(string jobId, int sequence, DateTimeOffset? earlierVerdictAt, bool json, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var what = $"checkpoint {sequence} of {jobId}";
        while (true)
        {
            var found = await FindCheckpointAsync(api, jobId, sequence, ct);
            if (found is not { Entry.Exists: true })
            {
                progress.Done();
                if (json && found is { } removed)
                    CliApp.WriteJson(output, removed.Json);
                var why = found is { Entry.RemovalReason: { } reason } ? $": {reason}" : "";
                await error.WriteLineAsync($"caas-cli: {what} was deleted before its verification ended{why}.");
                return ExitCodes.Failed;
            }
            var (entry, entryJson) = found.Value;
            if (entry.Verification is CheckpointVerification.Verified or CheckpointVerification.Failed && entry.VerifiedAt != earlierVerdictAt)
            {
                var verified = entry.Verification == CheckpointVerification.Verified;
                progress.Show(1, verified ? "verified" : "verification failed", clock.Elapsed);
                progress.Done();
                if (json)
                    CliApp.WriteJson(output, entryJson);
                else if (verified)
                    output.WriteLine($"Checkpoint {sequence} of {jobId} verified: a test restore on {entry.Checkpoint.NodeId} succeeded at {TextOutput.Time(entry.VerifiedAt)}.");
                if (verified)
                    return ExitCodes.Ok;
                await error.WriteLineAsync($"caas-cli: {what} failed verification: {entry.VerificationProblem ?? "the platform gave no reason (see `caas events`)"}");
                return ExitCodes.Failed;
            }
            var (fraction, step) = entry.Verification == CheckpointVerification.Verifying
                ? (0.5, $"test restore of checkpoint {sequence} on {entry.Checkpoint.NodeId}")
                : (0.1, $"verification of checkpoint {sequence} requested");
            progress.Show(fraction, step, clock.Elapsed);
            if (await TimedOutAsync(clock, $"the verification of {what}", ct))
                return ExitCodes.TimedOut;
        }
    }

    /// <summary>One checkpoint's catalog entry and its JSON as the API gives it; null when the job has no such checkpoint.</summary>
    public static async Task<(CheckpointCatalogEntry Entry, string Json)?> FindCheckpointAsync(PlatformApi api, string jobId, int sequence, CancellationToken ct)
    {
        const int take = 500;
        for (var skip = 0; ; skip += take)
        {
            using var page = JsonDocument.Parse(await api.GetAsync($"jobs/{Uri.EscapeDataString(jobId)}/checkpoints?skip={skip}&take={take}", ct));
            var items = page.RootElement.GetProperty("items");
            foreach (var item in items.EnumerateArray())
            {
                if (item.GetProperty("sequence").GetInt32() == sequence)
                    return (PlatformApi.Read<CheckpointCatalogEntry>(item.GetRawText()), item.GetRawText());
            }
            if (items.GetArrayLength() < take)
                return null;
        }
    }

    private async Task<bool> TimedOutAsync(Stopwatch clock, string what, CancellationToken ct)
    {
        if (clock.Elapsed >= timeout)
        {
            progress.Done();
            await error.WriteLineAsync($"caas-cli: {what} had not ended after {timeout.TotalSeconds:0} s; it goes on on the platform (see `caas show`).");
            return true;
        }
        await Task.Delay(poll, ct);
        return false;
    }

    private async Task<JobView> GetJobAsync(string jobId, CancellationToken ct) =>
        PlatformApi.Read<JobView>(await api.GetAsync($"jobs/{Uri.EscapeDataString(jobId)}", ct));

    /// <summary>The summary of the job's newest event of this type among its recent ones, if any.</summary>
    private async Task<string?> EventSummaryAsync(string jobId, string type, CancellationToken ct)
    {
        var events = PlatformApi.Read<Page<TimelineEntry>>(await api.GetAsync($"jobs/{Uri.EscapeDataString(jobId)}/events?take=50", ct));
        return events.Items.FirstOrDefault(e => e.Type == type)?.Summary;
    }
}
