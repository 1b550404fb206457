using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests.Distributed;

/// <summary>
/// The real platform (Cluster mode on PostgreSQL and RabbitMQ) with two real agents in one pool, each in a network
/// namespace of its own on 198.18.81.0/24, with the bridge as the rank fabric: the least a distributed job of two ranks needs.
/// </summary>
public sealed class RankStallCluster() : ClusterPlatform(new ClusterShape(StallNodes, "198.18.81", "rs", ServeImages: true, SecondServer: false, RankFabric: true))
{
    public const string Pool = "stall";

    public static readonly IReadOnlyList<ClusterNode> StallNodes =
        [.. Enumerable.Range(1, 2).Select(n => new ClusterNode($"rs-{n}", Pool, 10 + n, new Dictionary<string, string>()))];

    /// <summary>The host PID of a rank's root process, as its agent records it in ranks/JOB/RANK/rank.json; null while none is recorded.</summary>
    public int? RankPid(string nodeId, string jobId, int rank)
    {
        var path = Path.Combine(Agent(nodeId).DataDirectory, "agent", "ranks", jobId, rank.ToString(), "rank.json");
        if (!File.Exists(path))
            return null;
        using var record = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        return record.RootElement.TryGetProperty("pid", out var pid) && pid.ValueKind == System.Text.Json.JsonValueKind.Number ? pid.GetInt32() : null;
    }
}
