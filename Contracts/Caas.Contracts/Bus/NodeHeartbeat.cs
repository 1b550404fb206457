using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>One batched heartbeat per node and interval: the node itself and a sample of each of its jobs.</summary>
public sealed record NodeHeartbeat(NodeStatus Node, IReadOnlyList<JobSample> Samples, DateTimeOffset At);
