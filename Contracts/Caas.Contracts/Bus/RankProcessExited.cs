namespace Caas.Contracts.Bus;

/// <summary>Agent report: rank <paramref name="Rank"/> of a distributed job, run <paramref name="Generation"/> on this node, ended with ExitCode or by Signal.</summary>
[GenerateSerializer, Immutable]
public sealed record RankProcessExited([property: Id(0)] string JobId, [property: Id(1)] int Rank, [property: Id(2)] string NodeId, [property: Id(3)] int Generation,
    [property: Id(4)] int? ExitCode, [property: Id(5)] int? Signal, [property: Id(6)] DateTimeOffset At);
