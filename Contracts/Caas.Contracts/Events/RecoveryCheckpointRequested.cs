using Caas.Contracts.Policies;

namespace Caas.Contracts.Events;

/// <summary>
/// The job's policy moves it (Decision) while it still runs, so the recovery of IncidentId starts from a checkpoint taken
/// now, in stop mode (checkpoint Sequence, requested next), instead of from the last periodic one: the move then loses no
/// work. Once that checkpoint is taken, or fails, the restore is requested (from the newest earlier checkpoint on failure).
/// </summary>
[EventType("RecoveryCheckpointRequested")]
[GenerateSerializer, Immutable]
public sealed record RecoveryCheckpointRequested([property: Id(0)] string JobId, [property: Id(1)] Guid IncidentId, [property: Id(2)] int Sequence,
    [property: Id(3)] PolicyDecision Decision, [property: Id(4)] string Reason, [property: Id(5)] DateTimeOffset At) : IJobEvent;
