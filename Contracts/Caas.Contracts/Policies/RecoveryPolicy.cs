using System.Text.Json.Serialization;

namespace Caas.Contracts.Policies;

/// <summary>
/// What the platform does, without an operator, when a job stalls, starves, fails or loses its node, and how often it
/// checkpoints the job. Per job (<see cref="Jobs.JobSpec.Policy"/>), else the default of the job's pool, else the
/// platform's (configuration section <c>Caas:Policies</c>). Durations are plain seconds so that a policy reads the same in
/// configuration, JSON files, the API and the portal. Checked by <see cref="RecoveryPolicyValidator"/>.
/// </summary>
// A misspelt field in a policy file must be an error, not a setting silently left at its default.
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
[GenerateSerializer, Immutable]
public sealed record RecoveryPolicy
{
    [Id(0)] public StallResponse OnStall { get; init; } = StallResponse.RestartFromCheckpoint;
    [Id(1)] public StarvationResponse OnStarvation { get; init; } = StarvationResponse.AlertOnly;
    [Id(2)] public NodeLostResponse OnNodeLost { get; init; } = NodeLostResponse.RestoreElsewhere;
    [Id(3)] public FailureResponse OnFailure { get; init; } = FailureResponse.None;
    /// <summary>How many times a failed job is restarted over its life before the platform leaves it failed.</summary>
    [Id(4)] public int MaxFailureRestarts { get; init; } = 3;
    /// <summary>Automatic recoveries allowed within <see cref="AttemptWindowSeconds"/>; a further incident only alerts.</summary>
    [Id(5)] public int MaxAttempts { get; init; } = 5;
    [Id(6)] public double AttemptWindowSeconds { get; init; } = 3600;
    /// <summary>The wait before the second attempt in the window; it doubles with every further attempt (the first is immediate).</summary>
    [Id(7)] public double BackoffSeconds { get; init; } = 10;
    [Id(8)] public double MaxBackoffSeconds { get; init; } = 600;
    /// <summary>After an automatic recovery, incidents within this long only alert (the job is given time to settle).</summary>
    [Id(9)] public double CooldownSeconds { get; init; } = 60;
    /// <summary>Pools a recovery may place the job in; any pool when empty.</summary>
    [Id(10)] public IReadOnlyList<string> AllowedPools { get; init; } = [];
    /// <summary>Pools tried first, in this order, when the job moves.</summary>
    [Id(11)] public IReadOnlyList<string> PreferredPools { get; init; } = [];
    /// <summary>Whether a recovery may move the job out of its pool ("cloud"); needed by <see cref="StarvationResponse.MigratePool"/>.</summary>
    [Id(12)] public bool AllowCrossPool { get; init; }
    [Id(13)] public CheckpointSchedule Checkpoints { get; init; } = new();
}

public enum StallResponse
{
    /// <summary>Record the stall and alert, nothing more.</summary>
    AlertOnly = 0,
    /// <summary>Kill the hung copy and restore the job from its newest checkpoint, on the node that holds it.</summary>
    RestartFromCheckpoint = 1,
    /// <summary>Restore the job from its newest checkpoint on another node.</summary>
    Migrate = 2,
}

public enum StarvationResponse
{
    AlertOnly = 0,
    /// <summary>Move the job to another node (of its pool, or of another allowed pool when crossing pools is allowed).</summary>
    MigrateNode = 1,
    /// <summary>Move the job to a node of another pool (the starvation may be the pool's); needs <see cref="RecoveryPolicy.AllowCrossPool"/>.</summary>
    MigratePool = 2,
}

public enum NodeLostResponse
{
    AlertOnly = 0,
    /// <summary>Restore the job on another node from its newest checkpoint.</summary>
    RestoreElsewhere = 1,
}

public enum FailureResponse
{
    /// <summary>A failed job stays failed.</summary>
    None = 0,
    /// <summary>Restore the job from its newest checkpoint, up to <see cref="RecoveryPolicy.MaxFailureRestarts"/> times.</summary>
    Restart = 1,
}
