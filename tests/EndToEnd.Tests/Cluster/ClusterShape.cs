namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>
/// What a test cluster is made of: its nodes, the /24 (first three bytes) and two-letter name prefix of its network
/// (each test class that may run beside another needs its own), whether agents serve their checkpoints to each
/// other, whether a second server joins, and whether the bridge is also the rank fabric of distributed jobs (ranks at
/// .101 and up).
/// </summary>
public sealed record ClusterShape(IReadOnlyList<ClusterNode> Nodes, string Subnet, string Prefix, bool ServeImages = false, bool SecondServer = true,
    bool RankFabric = false);
