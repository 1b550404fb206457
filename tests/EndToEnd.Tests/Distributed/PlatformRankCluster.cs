using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests.Distributed;

/// <summary>
/// The real platform (the web/silo host in Cluster mode on PostgreSQL and RabbitMQ) with six real agents in one pool,
/// each in a network namespace of its own on 198.18.71.0/24, serving their checkpoints to each other, with the bridge as
/// the rank fabric the platform gives addresses on: for distributed jobs submitted through the API.
/// </summary>
public sealed class PlatformRankCluster() : ClusterPlatform(new ClusterShape(RankNodes, "198.18.71", "dq", ServeImages: true, SecondServer: false, RankFabric: true))
{
    public const string Pool = "ranks";

    public static readonly IReadOnlyList<ClusterNode> RankNodes =
        [.. Enumerable.Range(1, 6).Select(n => new ClusterNode($"rk-{n}", Pool, 10 + n, new Dictionary<string, string>()))];
}
