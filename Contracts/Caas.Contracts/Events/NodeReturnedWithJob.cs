namespace Caas.Contracts.Events;

/// <summary>
/// The node a job was lost with heartbeats again with the job still running there, and nothing replaced the job in the
/// meantime: the job goes on where it was, as the process it always was (Pid).
/// </summary>
[EventType("NodeReturnedWithJob")]
[GenerateSerializer, Immutable]
public sealed record NodeReturnedWithJob([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] int Pid, [property: Id(3)] DateTimeOffset At) : IJobEvent;
