using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Monitoring: the job made no progress for longer than its threshold. Carries what recovery needs to act on the job's policy.</summary>
public sealed record JobStallDetected(Guid IncidentId, string JobId, string NodeId, StallAction Action, int? LastCheckpointSequence, string? LastCheckpointNodeId, double? LastCheckpointProgress, DateTimeOffset LastProgressAt, DateTimeOffset At);
