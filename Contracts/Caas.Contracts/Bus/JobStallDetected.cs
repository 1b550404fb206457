using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Monitoring: the job made no progress for longer than its threshold. Carries what recovery needs to act on the job's policy, and the older checkpoints to fall back on.</summary>
[GenerateSerializer, Immutable]
public sealed record JobStallDetected([property: Id(0)] Guid IncidentId, [property: Id(1)] string JobId, [property: Id(2)] string NodeId, [property: Id(3)] StallAction Action, [property: Id(4)] int? LastCheckpointSequence, [property: Id(5)] string? LastCheckpointNodeId, [property: Id(6)] double? LastCheckpointProgress, [property: Id(7)] DateTimeOffset LastProgressAt, [property: Id(8)] DateTimeOffset At, [property: Id(9)] IReadOnlyList<int>? FallbackSequences = null);
