using Orleans.Configuration;

namespace Caas.Monitoring.Cluster;

public static class ClusterClientBuilderExtensions
{
    /// <summary>
    /// Connects an Orleans client (a web host or tool outside the silos) to the cluster <paramref name="clusterId"/>:
    /// it finds the silos' gateways in the PostgreSQL membership table the silos keep (see
    /// <see cref="ClusterSiloBuilderExtensions.UseCaasPostgresCluster"/>).
    /// </summary>
    public static IClientBuilder UseCaasPostgresCluster(this IClientBuilder client, string connectionString, string clusterId, string serviceId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        client.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = clusterId;
            options.ServiceId = serviceId;
        });
        client.UseAdoNetClustering(options =>
        {
            options.Invariant = ClusterSiloBuilderExtensions.NpgsqlInvariant;
            options.ConnectionString = connectionString;
        });
        return client;
    }
}
