namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>
/// The split cluster of <see cref="SeparateProcessCluster"/> with agents that serve their checkpoints to each other, on
/// 198.18.62.0/24 (names starting "wl"): for recoveries that must run while the web host is dead.
/// </summary>
public sealed class WeblessRecoveryCluster() : SeparateProcessCluster(privateServers: false, subnet: "198.18.62", prefix: "wl", serveImages: true);
