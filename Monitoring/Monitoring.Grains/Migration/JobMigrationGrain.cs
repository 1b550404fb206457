using Caas.Contracts.Views;
using Orleans.Concurrency;

namespace Caas.Monitoring.Grains.Migration;

/// <summary>Starts the migration in the silo the call lands on; the rest of it runs in that silo's <see cref="JobMigration"/>.</summary>
[StatelessWorker]
public sealed class JobMigrationGrain(JobMigration migration) : Grain, IJobMigrationGrain
{
    public Task<MigrationStarted> Start(string? nodeId, string? pool) => migration.MigrateAsync(this.GetPrimaryKeyString(), nodeId, pool);
}
