using Caas.Contracts.Events;
using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Tests;

/// <summary>Builds the events of one job's life at given times, so tests read as a story.</summary>
internal sealed class JobEvents(string jobId, DateTimeOffset start)
{
    public string JobId { get; } = jobId;
    public DateTimeOffset Start { get; } = start;

    public DateTimeOffset At(double seconds) => Start.AddSeconds(seconds);

    public static JobSpec Spec(TimeSpan? stallThreshold = null, string? pool = null, StallAction onStall = StallAction.RestoreFromLastCheckpoint) => new()
    {
        Command = "/usr/bin/sleep",
        Args = ["600"],
        StallThreshold = stallThreshold ?? TimeSpan.FromSeconds(10),
        Pool = pool,
        OnStall = onStall,
    };

    public JobSubmitted Submitted(double s = 0, JobSpec? spec = null) => new(JobId, spec ?? Spec(), At(s));
    public JobPlaced Placed(double s = 0, string node = "node-1") => new(JobId, node, At(s));
    public JobStarted Started(double s = 0, string node = "node-1", int pid = 4242) => new(JobId, node, pid, At(s));
    public HeartbeatRecorded Heartbeat(double s, double cpu, double? progress = null, string node = "node-1", string? message = null,
        string state = "R", long readBytes = 0, long writeBytes = 0) =>
        new(JobId, node, new JobSample
        {
            JobId = JobId, Pid = 4242, State = state, CpuSeconds = cpu, RssBytes = 10 << 20, ReadBytes = readBytes, WriteBytes = writeBytes,
            Progress = progress, ProgressMessage = message,
        }, At(s));
    public ProgressReported Progress(double s, double progress, string? message = null) => new(JobId, progress, message, At(s));
    public CheckpointRequested CheckpointRequested(double s, int sequence, bool leaveRunning = true) => new(JobId, sequence, leaveRunning, At(s));
    public CheckpointTaken CheckpointTaken(double s, int sequence, double? progress, string node = "node-1", bool leaveRunning = true) =>
        new(JobId, Checkpoint(s, sequence, progress, node, leaveRunning), At(s));
    public CheckpointInfo Checkpoint(double s, int sequence, double? progress, string node = "node-1", bool leaveRunning = true) => new()
    {
        Sequence = sequence, NodeId = node, TakenAt = At(s), Progress = progress, SizeBytes = 3_250_000,
        Duration = TimeSpan.FromSeconds(0.42), AppPause = TimeSpan.FromSeconds(0.1), LeaveRunning = leaveRunning, Engine = "criu 4.2.1",
    };
    public JobStalled Stalled(double s, Guid incident, double sinceSeconds, double thresholdSeconds = 10) =>
        new(JobId, incident, At(sinceSeconds), TimeSpan.FromSeconds(thresholdSeconds), At(s));
    public KillRequested KillRequested(double s) => new(JobId, "killed on request", At(s));
    public JobExited Exited(double s, int? code, int? signal, string reason) => new(JobId, code, signal, reason, At(s));
    public RestoreRequested RestoreRequested(double s, Guid incident, int sequence) => new(JobId, incident, sequence, "restore requested by a user", At(s));
    public JobRestored Restored(double s, Guid incident, int sequence, string node = "node-2", int pid = 777) => new(JobId, incident, sequence, node, pid, At(s));
    public RestoreFailed RestoreFailed(double s, Guid incident, int sequence, string reason) => new(JobId, incident, sequence, reason, At(s));
    public RecoveryFinished RecoveryFinished(double s, Guid incident, bool succeeded, string outcome) => new(JobId, incident, succeeded, outcome, At(s));
    public JobStartFailed StartFailed(double s, string reason, string node = "node-1") => new(JobId, node, reason, At(s));
}
