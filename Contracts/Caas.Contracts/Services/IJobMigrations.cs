using Caas.Contracts.Views;

namespace Caas.Contracts.Services;

/// <summary>
/// Moves a running job to another node: a checkpoint that stops it, the image sent to the target node, a restore there.
/// The call checks and starts the move and returns; the job's events and incidents show it proceed.
/// </summary>
public interface IJobMigrations
{
    /// <summary>To node <paramref name="nodeId"/>, or to the least loaded eligible node of <paramref name="pool"/> (exactly one of the two).</summary>
    /// <exception cref="OperationRejectedException">Nothing was changed: unknown job or node, job not running, no eligible target.</exception>
    Task<MigrationStarted> MigrateAsync(string jobId, string? nodeId, string? pool, CancellationToken cancellationToken = default);
}
