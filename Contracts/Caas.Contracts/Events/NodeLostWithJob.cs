using Caas.Contracts.Jobs;

namespace Caas.Contracts.Events;

/// <summary>The node the job ran on was declared lost at LostAt; what recovery does next follows in the stream.</summary>
[EventType("NodeLostWithJob")]
[GenerateSerializer, Immutable]
public sealed record NodeLostWithJob([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] DateTimeOffset LostAt, [property: Id(3)] DateTimeOffset At) : IJobEvent;
