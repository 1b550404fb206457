namespace Caas.Portal.Tests.Fakes;

/// <summary>Jobs as the read side would describe them, for tests to put into a <see cref="FakeJobPlatform"/>.</summary>
public static class SampleJobs
{
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    public static JobView Running(string jobId, string name, double progress, DateTimeOffset submittedAt) => new()
    {
        JobId = jobId,
        Name = name,
        Spec = new JobSpec { Command = "/usr/local/bin/counter", Args = ["--target", "100"], Name = name, StallThreshold = TimeSpan.FromSeconds(30) },
        Status = JobStatus.Running,
        NodeId = "node-a",
        Pid = 4242,
        Progress = progress,
        ProgressMessage = $"step {(int)(progress * 100)} of 100",
        CpuSeconds = 12.5,
        RssBytes = 3 * 1024 * 1024,
        SubmittedAt = submittedAt,
        LastHeartbeatAt = submittedAt.AddSeconds(57),
        LastProgressAt = submittedAt.AddSeconds(57),
        Version = 10,
    };

    public static CheckpointInfo Checkpoint(int sequence, double progress, DateTimeOffset takenAt) => new()
    {
        Sequence = sequence,
        NodeId = "node-a",
        TakenAt = takenAt,
        Progress = progress,
        SizeBytes = 5 * 1024 * 1024 + 512 * 1024,
        Duration = TimeSpan.FromMilliseconds(410),
        AppPause = TimeSpan.FromMilliseconds(120),
        Dump = TimeSpan.FromMilliseconds(300),
        LeaveRunning = true,
        Engine = "criu 4.2.1",
    };

    public static CheckpointCatalogEntry CatalogEntry(string jobId, CheckpointInfo checkpoint, CheckpointVerification verification = CheckpointVerification.Unverified) => new()
    {
        JobId = jobId,
        JobName = "counter",
        Checkpoint = checkpoint,
        Verification = verification,
        VerifiedAt = verification is CheckpointVerification.Verified or CheckpointVerification.Failed ? checkpoint.TakenAt.AddMinutes(1) : null,
        VerificationProblem = verification == CheckpointVerification.Failed ? "the test copy showed no sign of life within 20 s" : null,
    };

    public static TimelineEntry Event(long version, string type, string summary, DateTimeOffset at) => new()
    {
        Version = version,
        Type = type,
        At = at,
        Summary = summary,
        Data = $$"""{"jobId":"x","version":{{version}}}""",
    };
}
