using Caas.Contracts.Services;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Migration;

/// <summary>The migrations the portal and the API start, handed to a silo (<see cref="IJobMigrationGrain"/>).</summary>
public sealed class SiloJobMigrations(IGrainFactory grains) : IJobMigrations
{
    public Task<MigrationStarted> MigrateAsync(string jobId, string? nodeId, string? pool, CancellationToken cancellationToken = default) =>
        grains.GetGrain<IJobMigrationGrain>(jobId).Start(nodeId, pool);
}
