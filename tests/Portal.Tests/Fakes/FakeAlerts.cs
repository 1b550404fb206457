namespace Caas.Portal.Tests.Fakes;

/// <summary>
/// A hand-written stand-in for the alert service: alerts and silences in lists, every call recorded, refusals the way
/// the real one refuses (unknown id, not firing, no matcher).
/// </summary>
public sealed class FakeAlerts(TimeProvider clock) : IAlertOperations
{
    private readonly Lock gate = new();

    public List<AlertView> Alerts { get; } = [];
    public List<SilenceView> Silences { get; } = [];
    public List<(string AlertId, string By, string? Comment)> Acknowledged { get; } = [];
    public List<(AlertState? State, bool IncludeResolved, int Skip, int Take)> ListCalls { get; } = [];

    public Task<Page<AlertView>> ListAlertsAsync(AlertState? state, bool includeResolved, int skip, int take, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            ListCalls.Add((state, includeResolved, skip, take));
            var matching = Alerts.Where(a => state is null ? includeResolved || a.State != AlertState.Resolved : a.State == state).Select(WithSilences).ToArray();
            return Task.FromResult(new Page<AlertView>(matching.Skip(skip).Take(take).ToArray(), matching.Length, skip, take));
        }
    }

    public List<(string JobId, int Skip, int Take)> JobListCalls { get; } = [];

    // As the real one: the job's open alerts, then its resolved ones, each in the order they were added here.
    public Task<Page<AlertView>> ListJobAlertsAsync(string jobId, int skip, int take, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            JobListCalls.Add((jobId, skip, take));
            var ofJob = Alerts.Where(a => a.JobId == jobId).OrderBy(a => a.State == AlertState.Resolved).Select(WithSilences).ToArray();
            return Task.FromResult(new Page<AlertView>(ofJob.Skip(skip).Take(take).ToArray(), ofJob.Length, skip, take));
        }
    }

    public Task<AlertView?> GetAlertAsync(string alertId, CancellationToken cancellationToken = default)
    {
        lock (gate)
            return Task.FromResult(Alerts.FirstOrDefault(a => a.Id == alertId) is { } alert ? WithSilences(alert) : null);
    }

    // As the real one: an open alert lists the active silences that match it. Only the kind and job matchers are
    // compared here; a silence naming a node, pool or name glob matches nothing in this fake.
    private AlertView WithSilences(AlertView alert)
    {
        if (alert.State == AlertState.Resolved || alert.SilencedBy.Count > 0)
            return alert;
        var silencedBy = Silences.Where(s => s.IsActiveAt(clock.GetUtcNow())
                && s.Matchers is { Node: null, Pool: null, NameGlob: null } m
                && (m.Kind is null || m.Kind == alert.Kind) && (m.JobId is null || m.JobId == alert.JobId)
                && (m.Kind is not null || m.JobId is not null))
            .Select(s => s.Id).ToArray();
        return silencedBy.Length == 0 ? alert : alert with { SilencedBy = silencedBy };
    }

    public Task<AlertView> AcknowledgeAsync(string alertId, string by, string? comment, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var index = Alerts.FindIndex(a => a.Id == alertId);
            if (index < 0)
                throw new OperationRejectedException(RejectionKind.NotFound, $"No alert has id '{alertId}'.");
            if (Alerts[index].State != AlertState.Firing)
                throw new OperationRejectedException(RejectionKind.Conflict, $"Alert {alertId} is {Alerts[index].State}, not firing.");
            Acknowledged.Add((alertId, by, comment));
            Alerts[index] = Alerts[index] with { State = AlertState.Acknowledged, AcknowledgedBy = by, AcknowledgedAt = clock.GetUtcNow(), AcknowledgeComment = comment };
            return Task.FromResult(Alerts[index]);
        }
    }

    public Task<IReadOnlyList<SilenceView>> ListSilencesAsync(bool includeExpired, CancellationToken cancellationToken = default)
    {
        lock (gate)
            return Task.FromResult<IReadOnlyList<SilenceView>>(Silences.Where(s => includeExpired || s.IsActiveAt(clock.GetUtcNow())).ToArray());
    }

    public Task<SilenceView> CreateSilenceAsync(NewSilence silence, string by, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var m = silence.Matchers;
            if (m.Kind is null && m.JobId is null && m.Node is null && m.Pool is null && m.NameGlob is null)
                throw new OperationRejectedException(RejectionKind.Invalid, "Give at least one matcher (kind, job, node, pool or name).");
            if (string.IsNullOrWhiteSpace(silence.Reason))
                throw new OperationRejectedException(RejectionKind.Invalid, "Say why (reason).");
            var created = new SilenceView
            {
                Id = $"s{Silences.Count + 1}", Matchers = m, CreatedAt = clock.GetUtcNow(), EndsAt = clock.GetUtcNow() + silence.Duration,
                CreatedBy = by, Reason = silence.Reason,
            };
            Silences.Add(created);
            return Task.FromResult(created);
        }
    }

    public Task<SilenceView> ExpireSilenceAsync(string silenceId, string by, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var index = Silences.FindIndex(s => s.Id == silenceId);
            if (index < 0)
                throw new OperationRejectedException(RejectionKind.NotFound, $"No silence has id '{silenceId}'.");
            Silences[index] = Silences[index] with { ExpiredBy = by, ExpiredAt = clock.GetUtcNow() };
            return Task.FromResult(Silences[index]);
        }
    }
}
