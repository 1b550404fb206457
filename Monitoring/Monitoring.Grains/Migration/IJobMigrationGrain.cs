using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Migration;

/// <summary>
/// Where a migration runs: on a silo, which has the bus, and not in the host that asked (a web host has no bus, and
/// its death must not strand a migration it started). Keyed by the job id.
/// </summary>
public interface IJobMigrationGrain : IGrainWithStringKey
{
    /// <inheritdoc cref="Caas.Contracts.Services.IJobMigrations.MigrateAsync"/>
    Task<MigrationStarted> Start(string? nodeId, string? pool);
}
