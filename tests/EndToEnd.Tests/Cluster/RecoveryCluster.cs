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

    /// <summary>Where the agent of <paramref name="nodeId"/> receives its jobs' progress reports.</summary>
    public string ProgressSocketOf(string nodeId) => Path.Combine(Agent(nodeId).DataDirectory, "agent", "progress.sock");

    /// <summary>
    /// A restored job reports progress to the socket path in its image's environment: the lost node's data directory.
    /// On real hosts every agent has the same path on its own machine, so the reports reach the new node's agent;
    /// here all agents share one file system, so the lost node's path is pointed at the new node's socket instead.
    /// </summary>
    public void FollowProgress(string lostNodeId, string newNodeId)
    {
        var old = ProgressSocketOf(lostNodeId);
        File.Delete(old);
        File.CreateSymbolicLink(old, ProgressSocketOf(newNodeId));
    }
}
