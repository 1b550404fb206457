using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>
/// A restore from checkpoint Sequence was started (by a user or by recovery). Request is what recovery was asked for,
/// kept so that a request lost with its host (recorded, never published) is published again; null in older streams.
/// </summary>
[EventType("RestoreRequested")]
[GenerateSerializer, Immutable]
public sealed record RestoreRequested([property: Id(0)] string JobId, [property: Id(1)] Guid IncidentId, [property: Id(2)] int Sequence, [property: Id(3)] string Reason, [property: Id(4)] DateTimeOffset At,
    [property: Id(210)] Bus.RecoveryRequested? Request = null) : IJobEvent;
