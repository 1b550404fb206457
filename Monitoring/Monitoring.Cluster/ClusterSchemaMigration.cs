using Orleans.Runtime;

namespace Caas.Monitoring.Cluster;

/// <summary>Brings the cluster schema up to date as the silo's very first start step, before membership reads the query catalogue.</summary>
internal sealed class ClusterSchemaMigration(string connectionString) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ClusterSchemaMigration), ServiceLifecycleStage.First, cancellationToken => ClusterSchema.MigrateAsync(connectionString, cancellationToken));
}
