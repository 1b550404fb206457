namespace Caas.Contracts.Jobs;

/// <summary>What a node agent says about itself with every heartbeat.</summary>
[GenerateSerializer, Immutable]
public sealed record NodeStatus
{
    [Id(0)] public required string NodeId { get; init; }
    [Id(1)] public string Pool { get; init; } = "default";
    [Id(2)] public int JobSlots { get; init; }
    [Id(3)] public int RunningJobs { get; init; }
    /// <summary>Checkpoint engine and version, e.g. "criu 4.2.1"; null when no engine is usable.</summary>
    [Id(4)] public string? Engine { get; init; }
    /// <summary>Why the engine is unusable, when it is.</summary>
    [Id(5)] public string? EngineProblem { get; init; }
    [Id(6)] public DateTimeOffset LastHeartbeatAt { get; init; }
    /// <summary>How often the agent heartbeats; liveness is judged against it. Zero when the agent does not say.</summary>
    [Id(7)] public TimeSpan HeartbeatInterval { get; init; }
    /// <summary>Where other agents fetch this node's checkpoints (its transfer server); null when it serves none.</summary>
    [Id(8)] public string? TransferUrl { get; init; }
}
