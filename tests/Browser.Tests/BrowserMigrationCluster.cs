using Caas.EndToEnd.Tests.Cluster;

namespace Caas.Browser.Tests;

/// <summary>
/// Two agents in one pool that serve their checkpoints to each other, on 198.18.89.0/24 with names starting "bm", and
/// one server: for moving a job from one node to the other from its portal page.
/// </summary>
public sealed class BrowserMigrationCluster() : ClusterPlatform(new ClusterShape(MigrationNodes, "198.18.89", "bm", ServeImages: true, SecondServer: false))
{
    public const string Pool = "webmig";

    public static readonly IReadOnlyList<ClusterNode> MigrationNodes =
    [
        new("webmig-1", Pool, 11, new Dictionary<string, string>()),
        new("webmig-2", Pool, 12, new Dictionary<string, string>()),
    ];
}
