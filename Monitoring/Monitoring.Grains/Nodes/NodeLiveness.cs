using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Grains.Nodes;

/// <summary>One node's liveness as the directory sees it.</summary>
[GenerateSerializer, Immutable]
public sealed record NodeLiveness
{
    [Id(0)] public required string NodeId { get; init; }
    [Id(1)] public NodeHealth Health { get; init; }
    [Id(2)] public DateTimeOffset LastSeenAt { get; init; }
    /// <summary>Since when the node has been in <see cref="Health"/>.</summary>
    [Id(3)] public DateTimeOffset Since { get; init; }
    /// <summary>For a returning node: when it counts as live again if it keeps heartbeating.</summary>
    [Id(4)] public DateTimeOffset? LiveFrom { get; init; }
}
