using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>One batched heartbeat per node and interval: the node itself and a sample of each of its jobs.</summary>
[GenerateSerializer, Immutable]
public sealed record NodeHeartbeat([property: Id(0)] NodeStatus Node, [property: Id(1)] IReadOnlyList<JobSample> Samples, [property: Id(2)] DateTimeOffset At);
