namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>
/// What a test cluster is made of: its nodes, the /24 (first three bytes) and two-letter name prefix of its network
/// (each test class that may run beside another needs its own), whether agents serve their checkpoints to each
/// other, and whether a second server joins.
/// </summary>
public sealed record ClusterShape(IReadOnlyList<ClusterNode> Nodes, string Subnet, string Prefix, bool ServeImages = false, bool SecondServer = true);
