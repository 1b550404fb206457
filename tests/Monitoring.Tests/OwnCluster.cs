namespace Caas.Monitoring.Tests;

/// <summary>A <see cref="MonitoringCluster"/> of a test's own, started on an event store file (fresh when null) and stopped at the end of a using block.</summary>
public sealed class OwnCluster : IAsyncDisposable
{
    private OwnCluster(MonitoringCluster cluster) => Cluster = cluster;

    public MonitoringCluster Cluster { get; }

    public static async Task<OwnCluster> StartAsync(string? databasePath = null)
    {
        var cluster = new MonitoringCluster(databasePath);
        await cluster.InitializeAsync();
        return new OwnCluster(cluster);
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
