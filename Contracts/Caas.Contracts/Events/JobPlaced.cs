using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>Placement chose the node that will launch the job.</summary>
[EventType("JobPlaced")]
[GenerateSerializer, Immutable]
public sealed record JobPlaced([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] DateTimeOffset At) : IJobEvent;
