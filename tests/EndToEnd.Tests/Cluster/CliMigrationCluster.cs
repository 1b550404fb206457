namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>
/// Two agents in one pool that serve their checkpoints to each other, on 198.18.80.0/24 with names starting "pm", and
/// one server: for moving a job from one to the other the way a user does, with the CLI.
/// </summary>
public sealed class CliMigrationCluster() : ClusterPlatform(new ClusterShape(MigrationNodes, "198.18.80", "pm", ServeImages: true, SecondServer: false))
{
    public const string Pool = "mig";

    public static readonly IReadOnlyList<ClusterNode> MigrationNodes =
    [
        new("mig-1", Pool, 11, new Dictionary<string, string>()),
        new("mig-2", Pool, 12, new Dictionary<string, string>()),
    ];
}
