using Caas.Contracts.Views;

namespace Caas.Contracts.Services;

/// <summary>Read side of recovery for the portal and the API: incidents as their sagas recorded them (implemented by Recovery).</summary>
public interface IRecoveryIncidents
{
    /// <returns>Null when no incident has that id.</returns>
    Task<RecoveryIncident?> GetAsync(Guid incidentId, CancellationToken cancellationToken = default);

    /// <summary>The job's incidents, newest first.</summary>
    /// <exception cref="ArgumentException">The job id is not a job id.</exception>
    Task<IReadOnlyList<RecoveryIncident>> ListForJobAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Incidents still restoring or verifying, oldest first.</summary>
    Task<IReadOnlyList<RecoveryIncident>> ListOpenAsync(CancellationToken cancellationToken = default);

    /// <summary>The latest <paramref name="take"/> incidents of all jobs, newest first.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Take is not between 1 and 1000.</exception>
    Task<IReadOnlyList<RecoveryIncident>> ListRecentAsync(int take, CancellationToken cancellationToken = default);
}
