namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>
/// Two agents in pool "pm-a" and one in pool "pm-b" that serve their checkpoints to each other, on 198.18.77.0/24 with
/// names starting "pm", and one server: for tests where a job's policy moves it to another node or pool.
/// </summary>
public sealed class PolicyMoveCluster() : ClusterPlatform(new ClusterShape(MoveNodes, "198.18.77", "pm", ServeImages: true, SecondServer: false))
{
    public const string HomePool = "pm-a";
    public const string OtherPool = "pm-b";

    public static readonly IReadOnlyList<ClusterNode> MoveNodes =
    [
        new("pm-a1", HomePool, 11, new Dictionary<string, string>()),
        new("pm-a2", HomePool, 12, new Dictionary<string, string>()),
        new("pm-b1", OtherPool, 13, new Dictionary<string, string>()),
    ];
}
