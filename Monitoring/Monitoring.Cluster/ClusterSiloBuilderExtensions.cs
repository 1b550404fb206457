using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Caas.Monitoring.Cluster;

public static class ClusterSiloBuilderExtensions
{
    /// <summary>The ADO.NET invariant under which Orleans loads Npgsql's provider factory.</summary>
    public const string NpgsqlInvariant = "Npgsql";

    /// <summary>
    /// Makes the silo a member of the Orleans cluster <paramref name="clusterId"/> whose membership and reminders live
    /// in PostgreSQL (the schema first on the connection's search path, created or migrated at start). The caller
    /// still configures the silo's endpoints: each silo on a machine needs ports of its own.
    /// </summary>
    public static ISiloBuilder UseCaasPostgresCluster(this ISiloBuilder silo, string connectionString, string clusterId, string serviceId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        silo.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = clusterId;
            options.ServiceId = serviceId;
        });
        silo.UseAdoNetClustering(options =>
        {
            options.Invariant = NpgsqlInvariant;
            options.ConnectionString = connectionString;
        });
        silo.UseAdoNetReminderService(options =>
        {
            options.Invariant = NpgsqlInvariant;
            options.ConnectionString = connectionString;
        });
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(new ClusterSchemaMigration(connectionString));
        return silo;
    }
}
