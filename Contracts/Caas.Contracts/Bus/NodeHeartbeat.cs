using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>One batched heartbeat per node and interval: the node itself, a sample of each of its jobs and of each rank of a distributed job it holds.</summary>
/// <param name="RankSamples">Null from agents that predate rank samples.</param>
[GenerateSerializer, Immutable]
public sealed record NodeHeartbeat([property: Id(0)] NodeStatus Node, [property: Id(1)] IReadOnlyList<JobSample> Samples, [property: Id(2)] DateTimeOffset At,
    [property: Id(240)] IReadOnlyList<RankSample>? RankSamples = null);
