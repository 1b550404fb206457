namespace Caas.Contracts.Events;

/// <summary>One rank of a distributed job ended on its node: status 0 (done), or non-zero or a signal (the job fails).</summary>
[EventType("RankExited")]
[GenerateSerializer, Immutable]
public sealed record RankExited([property: Id(0)] string JobId, [property: Id(1)] int Rank, [property: Id(2)] string NodeId,
    [property: Id(3)] int? ExitCode, [property: Id(4)] int? Signal, [property: Id(5)] DateTimeOffset At) : IJobEvent;
