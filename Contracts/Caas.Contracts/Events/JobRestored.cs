using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>The job runs again from checkpoint Sequence. Duration: how long the agent took to restore it (zero in events recorded before it was measured).</summary>
[EventType("JobRestored")]
[GenerateSerializer, Immutable]
public sealed record JobRestored([property: Id(0)] string JobId, [property: Id(1)] Guid IncidentId, [property: Id(2)] int Sequence, [property: Id(3)] string NodeId, [property: Id(4)] int Pid, [property: Id(5)] DateTimeOffset At,
    [property: Id(100)] TimeSpan Duration = default) : IJobEvent;
