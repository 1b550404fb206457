namespace Caas.Web.Portal.Portal;

/// <summary>
/// One job's alerts for its page: the open ones first (newest first), then its resolved ones (most recently resolved
/// first), as the alert service orders them. The service has no query by job, and its alerts live in memory, so this
/// reads its list in batches and keeps the job's; read-only, and the caller has already checked that the user may see the job.
/// </summary>
public static class JobAlertHistory
{
    /// <summary>A job page shows at most this many of the job's alerts.</summary>
    public const int MaxShown = 50;
    // The alert service's largest page: it keeps the open alerts and its last 1,000 resolved ones, so a job page's
    // once-a-second refresh reads it in one or two calls. A query by job in IAlertOperations would read less.
    private const int Batch = 1000;

    public static async Task<IReadOnlyList<AlertView>> ListAsync(IAlertOperations alerts, string jobId, CancellationToken ct = default)
    {
        var found = new List<AlertView>();
        for (var from = 0; found.Count < MaxShown; from += Batch)
        {
            var page = await alerts.ListAlertsAsync(null, includeResolved: true, from, Batch, ct);
            found.AddRange(page.Items.Where(a => a.JobId == jobId));
            if (page.Items.Count < Batch || from + Batch >= page.Total)
                break;
        }
        return found.Take(MaxShown).ToArray();
    }
}
