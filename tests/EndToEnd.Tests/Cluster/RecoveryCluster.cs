namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>
/// Three agents in one pool that serve their checkpoints to each other, on 198.18.30.0/24 with names starting "rc",
/// and one server: for tests that lose a node and see its jobs come back on another.
/// </summary>
public sealed class RecoveryCluster() : ClusterPlatform(new ClusterShape(RecoveryNodes, "198.18.30", "rc", ServeImages: true, SecondServer: false))
{
    public const string Pool = "rec";

    public static readonly IReadOnlyList<ClusterNode> RecoveryNodes =
    [
        new("rec-1", Pool, 11, new Dictionary<string, string>()),
        new("rec-2", Pool, 12, new Dictionary<string, string>()),
        new("rec-3", Pool, 13, new Dictionary<string, string>()),
    ];
}
