using Caas.Contracts.Alerts;
using Caas.Contracts.Events.Alerts;
using Caas.Contracts.Services;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>
/// The alert lifecycle, pending → firing → acknowledged → resolved, folded from alert and silence events
/// (<see cref="Apply"/>) and deciding the next events (the Decide methods) without doing I/O: the caller appends a
/// decision to the store and then applies it. Decisions depend only on the folded state and their input (times come
/// from the events, a firing happens exactly at its "for" time), so replaying history decides the same events again
/// and the store recognises them by id.
/// </summary>
public sealed class AlertLifecycle(AlertingOptions options)
{
    public const string AlertStreamPrefix = "alert-";
    public const string SilenceStreamPrefix = "silence-";
    /// <summary>
    /// Resolved occurrences kept for the fleet-wide history (the Alerts page); all of them stay in the alert streams, and a
    /// job's own history is read complete from there (<see cref="JobAlertHistory"/>).
    /// </summary>
    public const int ResolvedKept = 1000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, TrackedAlert> _alerts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Version, SilenceView View)> _silences = new(StringComparer.Ordinal);
    private readonly List<AlertView> _resolved = [];

    public static string IdOf(AlertKind kind, string subjectId) => $"{kind.ToString().ToLowerInvariant()}-{subjectId}";

    public static bool IsAlertingStream(string stream) =>
        stream.StartsWith(AlertStreamPrefix, StringComparison.Ordinal) || stream.StartsWith(SilenceStreamPrefix, StringComparison.Ordinal);

    /// <summary>What to record when a condition begins or ends; null when nothing changes (deduplication).</summary>
    public AlertAppend? Decide(AlertCondition condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var id = IdOf(condition.Kind, condition.Subject.Id);
        lock (_gate)
        {
            _alerts.TryGetValue(id, out var alert);
            var stream = AlertStreamPrefix + id;
            var version = alert?.Version ?? -1;
            if (condition.Holds)
            {
                if (alert is { State: not AlertState.Resolved })
                    return null;
                if (alert is { FiredAt: not null, ResolvedAt: { } resolvedAt } && condition.At - resolvedAt < options.FlapWindow)
                    return new AlertAppend(stream, version, [new AlertReopened(id, condition.Message, condition.At)]);
                var raised = new AlertRaised(id, condition.Kind, condition.Subject, condition.Message, condition.At + options.ForOf(condition.Kind), condition.At);
                if (raised.FiresAt > raised.At)
                    return new AlertAppend(stream, version, [raised]);
                var occurrence = (alert?.Occurrence ?? 0) + 1;
                var notification = IsSilenced(raised.Kind, raised.Subject, raised.At) || InhibitionOf(raised.Kind, raised.Subject) is not null
                    ? null
                    : new AlertNotification(id, AlertNotification.Firing, raised.Kind, raised.Subject.Id, raised.Subject.Name, raised.Subject.Node, raised.Subject.Pool, raised.Message, occurrence, raised.At, raised.At);
                return new AlertAppend(stream, version, [raised, new AlertFired(id, raised.At)], notification);
            }
            if (alert is null or { State: AlertState.Resolved })
                return null;
            var resolvedNotification = alert.NotifiedFiring && !IsSilenced(alert.Kind, alert.Subject, condition.At) && InhibitionOf(alert.Kind, alert.Subject) is null
                ? NotificationOf(alert, AlertNotification.Resolved, condition.At)
                : null;
            return new AlertAppend(stream, version, [new AlertResolved(id, condition.At)], resolvedNotification);
        }
    }

    /// <summary>Everything folded so far, for the alerts projection's checkpoint.</summary>
    internal SavedAlertLifecycle Save()
    {
        lock (_gate)
            return new SavedAlertLifecycle(_alerts.Values.ToList(), _silences.Select(s => new SavedSilence(s.Value.Version, s.Value.View)).ToList(), _resolved.ToList());
    }

    /// <summary>Replaces everything folded with a saved state; null forgets everything.</summary>
    internal void Restore(SavedAlertLifecycle? saved)
    {
        lock (_gate)
        {
            _alerts.Clear();
            _silences.Clear();
            _resolved.Clear();
            if (saved is null)
                return;
            foreach (var alert in saved.Alerts)
                _alerts[alert.Id] = alert;
            foreach (var silence in saved.Silences)
                _silences[silence.View.Id] = (silence.Version, silence.View);
            _resolved.AddRange(saved.Resolved);
        }
    }

    /// <summary>Pending alerts whose "for" time has come by <paramref name="now"/>: each fires at exactly its time.</summary>
    public IReadOnlyList<AlertAppend> DecideDue(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _alerts.Values
                .Where(a => a.State == AlertState.Pending && a.FiresAt <= now)
                .OrderBy(a => a.FiresAt)
                .Select(a => new AlertAppend(AlertStreamPrefix + a.Id, a.Version, [new AlertFired(a.Id, a.FiresAt)],
                    IsSilenced(a.Kind, a.Subject, a.FiresAt) || InhibitionOf(a.Kind, a.Subject) is not null ? null : NotificationOf(a, AlertNotification.Firing, a.FiresAt)))
                .ToArray();
        }
    }

    /// <summary>The earliest time a pending alert fires; null when none is pending.</summary>
    public DateTimeOffset? NextFiring()
    {
        lock (_gate)
            return _alerts.Values.Where(a => a.State == AlertState.Pending).Select(a => (DateTimeOffset?)a.FiresAt).Min();
    }

    /// <exception cref="OperationRejectedException">No such alert (NotFound), or it is not firing (Conflict).</exception>
    public AlertAppend DecideAcknowledge(string alertId, string by, string? comment, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        if (comment is { Length: > SilenceValidator.LongestReason })
            throw new OperationRejectedException(RejectionKind.Invalid, $"The comment must be at most {SilenceValidator.LongestReason} characters.");
        lock (_gate)
        {
            var alert = Require(alertId);
            return alert.State switch
            {
                AlertState.Firing => new AlertAppend(AlertStreamPrefix + alert.Id, alert.Version,
                    [new AlertAcknowledged(alert.Id, by, string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(), now)]),
                AlertState.Acknowledged => throw new OperationRejectedException(RejectionKind.Conflict,
                    $"Alert {alertId} was already acknowledged by {alert.AcknowledgedBy} at {alert.AcknowledgedAt:u}."),
                AlertState.Pending => throw new OperationRejectedException(RejectionKind.Conflict,
                    $"Alert {alertId} is pending (it fires at {alert.FiresAt:u} if its condition holds); acknowledge it once it fires."),
                _ => throw new OperationRejectedException(RejectionKind.Conflict, $"Alert {alertId} is resolved; there is nothing to acknowledge."),
            };
        }
    }

    /// <exception cref="OperationRejectedException">The request is invalid; the message lists every problem.</exception>
    public AlertAppend DecideSilence(string silenceId, NewSilence silence, string by, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        var problems = SilenceValidator.Validate(silence);
        if (problems.Count > 0)
            throw new OperationRejectedException(RejectionKind.Invalid, string.Join(" ", problems));
        return new AlertAppend(SilenceStreamPrefix + silenceId, -1,
            [new SilenceCreated(silenceId, silence.Matchers, now + silence.Duration, by, silence.Reason.Trim(), now)]);
    }

    /// <exception cref="OperationRejectedException">No such silence (NotFound), or it already ended (Conflict).</exception>
    public AlertAppend DecideExpire(string silenceId, string by, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_silences.TryGetValue(silenceId, out var silence))
                throw new OperationRejectedException(RejectionKind.NotFound, $"No silence has id '{silenceId}'.");
            if (!silence.View.IsActiveAt(now))
                throw new OperationRejectedException(RejectionKind.Conflict, $"Silence {silenceId} already ended at {(silence.View.ExpiredAt ?? silence.View.EndsAt):u}.");
            return new AlertAppend(SilenceStreamPrefix + silenceId, silence.Version, [new SilenceExpired(silenceId, by, now)]);
        }
    }

    /// <summary>Folds one recorded alert or silence event; an event at a version already folded is ignored.</summary>
    public void Apply(string stream, long version, object storedEvent)
    {
        lock (_gate)
        {
            switch (storedEvent)
            {
                case IAlertEvent alertEvent:
                    var alert = _alerts.TryGetValue(alertEvent.AlertId, out var known) ? known : _alerts[alertEvent.AlertId] = new TrackedAlert(alertEvent.AlertId);
                    if (version <= alert.Version)
                        return;
                    alert.Version = version;
                    ApplyTo(alert, alertEvent);
                    break;
                case SilenceCreated created when !_silences.ContainsKey(created.SilenceId):
                    _silences[created.SilenceId] = (version, new SilenceView
                    {
                        Id = created.SilenceId, Matchers = created.Matchers, CreatedAt = created.At, EndsAt = created.EndsAt,
                        CreatedBy = created.CreatedBy, Reason = created.Reason,
                    });
                    break;
                case SilenceExpired expired when _silences.TryGetValue(expired.SilenceId, out var silence) && version > silence.Version:
                    _silences[expired.SilenceId] = (version, silence.View with { ExpiredBy = expired.By, ExpiredAt = expired.At });
                    break;
            }
        }
    }

    /// <summary>Alerts in <paramref name="state"/> (when null: open ones, and resolved ones when asked): open ones newest first, then resolved ones most recently resolved first.</summary>
    public Page<AlertView> List(AlertState? state, bool includeResolved, int skip, int take, DateTimeOffset now)
    {
        lock (_gate)
        {
            var open = _alerts.Values.Where(a => a.Occurrence > 0 && a.State != AlertState.Resolved)
                .OrderByDescending(a => a.RaisedAt).ThenBy(a => a.Id, StringComparer.Ordinal)
                .Select(a => ViewOf(a, now));
            var all = open.Concat(Enumerable.Reverse(_resolved)).Where(a => state is null ? includeResolved || a.State != AlertState.Resolved : a.State == state).ToArray();
            return new Page<AlertView>(all.Skip(skip).Take(take).ToArray(), all.Length, skip, take);
        }
    }

    /// <summary>
    /// One subject's (a job's) open alerts, newest first as <see cref="List"/> orders them, and every alert it ever had with
    /// the stream version folded so far: where <see cref="JobAlertHistory"/> reads the subject's resolved occurrences,
    /// up to exactly what the open ones reflect. Only that subject's alerts are turned into views.
    /// </summary>
    public (IReadOnlyList<AlertView> Open, IReadOnlyList<(string AlertId, long Version)> Streams) AlertsOf(string subjectId, DateTimeOffset now)
    {
        lock (_gate)
        {
            var alerts = _alerts.Values.Where(a => a.Occurrence > 0 && a.Subject.Id == subjectId).ToArray();
            var open = alerts.Where(a => a.State != AlertState.Resolved)
                .OrderByDescending(a => a.RaisedAt).ThenBy(a => a.Id, StringComparer.Ordinal)
                .Select(a => ViewOf(a, now))
                .ToArray();
            return (open, alerts.Select(a => (a.Id, a.Version)).ToArray());
        }
    }

    /// <returns>The alert's newest occurrence; null when there is none.</returns>
    public AlertView? Get(string alertId, DateTimeOffset now)
    {
        lock (_gate)
            return _alerts.TryGetValue(alertId, out var alert) && alert.Occurrence > 0 ? ViewOf(alert, now) : null;
    }

    /// <summary>Active silences, newest first, and when asked the ended ones too.</summary>
    public IReadOnlyList<SilenceView> Silences(bool includeExpired, DateTimeOffset now)
    {
        lock (_gate)
            return _silences.Values.Select(s => s.View).Where(s => includeExpired || s.IsActiveAt(now)).OrderByDescending(s => s.CreatedAt).ToArray();
    }

    public SilenceView? Silence(string silenceId)
    {
        lock (_gate)
            return _silences.TryGetValue(silenceId, out var silence) ? silence.View : null;
    }

    private void ApplyTo(TrackedAlert alert, IAlertEvent alertEvent)
    {
        alert.Apply(alertEvent);
        switch (alertEvent)
        {
            case AlertFired fired:
                alert.NotifiedFiring = !IsSilenced(alert.Kind, alert.Subject, fired.At) && InhibitionOf(alert.Kind, alert.Subject) is null;
                break;
            case AlertReopened:
                _resolved.RemoveAll(a => a.Id == alert.Id && a.Occurrence == alert.Occurrence);
                break;
            case AlertResolved resolved:
                _resolved.Add(ViewOf(alert, resolved.At));
                if (_resolved.Count > ResolvedKept)
                    _resolved.RemoveAt(0);
                break;
        }
    }

    private TrackedAlert Require(string alertId) =>
        _alerts.TryGetValue(alertId, out var alert) && alert.Occurrence > 0
            ? alert
            : throw new OperationRejectedException(RejectionKind.NotFound, $"No alert has id '{alertId}'.");

    private IEnumerable<SilenceView> SilencesOf(AlertKind kind, AlertSubject subject, DateTimeOffset at) =>
        _silences.Values.Select(s => s.View).Where(s => s.CreatedAt <= at && s.IsActiveAt(at) && SilenceMatching.Matches(s.Matchers, kind, subject));

    private bool IsSilenced(AlertKind kind, AlertSubject subject, DateTimeOffset at) => SilencesOf(kind, subject, at).Any();

    private AlertView ViewOf(TrackedAlert alert, DateTimeOffset now) => alert.State == AlertState.Resolved
        ? alert.ToView([], null)
        : alert.ToView(SilencesOf(alert.Kind, alert.Subject, now).Select(s => s.Id).ToArray(), InhibitionOf(alert.Kind, alert.Subject));

    /// <summary>
    /// Inhibition: while a node's NodeLost alert is firing (or acknowledged), the stall alerts of the jobs on it say why
    /// and are not notified; the node is the one problem to page about.
    /// </summary>
    private string? InhibitionOf(AlertKind kind, AlertSubject subject) =>
        kind == AlertKind.Stalled && subject.Node is { } node
        && _alerts.TryGetValue(IdOf(AlertKind.NodeLost, node), out var lost) && lost.State is AlertState.Firing or AlertState.Acknowledged
            ? $"inhibited by node {node} lost"
            : null;

    private static AlertNotification NotificationOf(TrackedAlert alert, string status, DateTimeOffset at) =>
        new(alert.Id, status, alert.Kind, alert.Subject.Id, alert.Subject.Name, alert.Subject.Node, alert.Subject.Pool, alert.Message, alert.Occurrence, alert.RaisedAt, at);
}
