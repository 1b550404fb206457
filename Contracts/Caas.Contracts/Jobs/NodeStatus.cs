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

    // Node identity and capacity, from the agent (ids from 20 on, so fields other areas add below 20 never collide).
    /// <summary>CPU cores the agent offers to jobs; 0 when it does not say.</summary>
    [Id(20)] public int Cores { get; init; }
    /// <summary>Memory the agent offers to jobs, in bytes; 0 when it does not say.</summary>
    [Id(21)] public long MemoryBytes { get; init; }
    /// <summary>What the operator says about the machine (e.g. "gpu=a100", "zone=eu-1"); jobs may require labels (<see cref="JobSpec.NodeLabels"/>).</summary>
    [Id(22)] public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    // Filled in by the node directory, never by the agent.
    /// <summary>An operator drained the node: it takes no new jobs; the ones it runs keep running.</summary>
    [Id(23)] public bool Drained { get; init; }
    /// <summary>Live, lost or returning, as judged by the node directory from its heartbeats.</summary>
    [Id(24)] public NodeHealth Health { get; init; }

    // What the agent's probe found about the machine (ids 100–109).
    /// <summary>The kernel release the node runs, e.g. "6.18.0-1-amd64"; null when the agent does not say.</summary>
    [Id(100)] public string? KernelVersion { get; init; }
    /// <summary>The CPU model, as /proc/cpuinfo names it; null when the agent does not say.</summary>
    [Id(101)] public string? CpuModel { get; init; }
    /// <summary>The CPU's flags, as /proc/cpuinfo lists them, sorted; null when the agent does not say (recovery then cannot check a node's CPU).</summary>
    [Id(102)] public IReadOnlyList<string>? CpuFlags { get; init; }
}
