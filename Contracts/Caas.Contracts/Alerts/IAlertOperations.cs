using Caas.Contracts.Views;

namespace Caas.Contracts.Alerts;

/// <summary>
/// Alerts and silences for the portal, the API and the CLI. Refusals are <see cref="Services.OperationRejectedException"/>s
/// (Invalid, NotFound, Conflict) and change nothing; callers check the role before calling.
/// </summary>
public interface IAlertOperations
{
    /// <summary>
    /// Alerts in <paramref name="state"/>; when null, the open ones (pending, firing, acknowledged) and, with
    /// <paramref name="includeResolved"/>, the resolved ones after them. Open ones newest first, resolved ones most recently resolved first.
    /// </summary>
    Task<Page<AlertView>> ListAlertsAsync(AlertState? state, bool includeResolved, int skip, int take, CancellationToken cancellationToken = default);
    /// <returns>Null when no alert has that id.</returns>
    Task<AlertView?> GetAlertAsync(string alertId, CancellationToken cancellationToken = default);
    Task<AlertView> AcknowledgeAsync(string alertId, string by, string? comment, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<SilenceView>> ListSilencesAsync(bool includeExpired, CancellationToken cancellationToken = default);
    Task<SilenceView> CreateSilenceAsync(NewSilence silence, string by, CancellationToken cancellationToken = default);
    Task<SilenceView> ExpireSilenceAsync(string silenceId, string by, CancellationToken cancellationToken = default);
    /// <summary>
    /// One job's alerts, for its page: the open ones first (newest first), then its resolved ones (most recently resolved
    /// first), in the order of <see cref="ListAlertsAsync"/>. The caller has checked that the user may see the job.
    /// </summary>
    Task<Page<AlertView>> ListJobAlertsAsync(string jobId, int skip, int take, CancellationToken cancellationToken = default);
}
