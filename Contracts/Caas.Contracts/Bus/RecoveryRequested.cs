using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Monitoring to recovery: restore this job from checkpoint Sequence (a user asked, or a policy decided).</summary>
public sealed record RecoveryRequested(Guid IncidentId, string JobId, string NodeId, int Sequence, double? CheckpointProgress, string Reason, DateTimeOffset At);
