using Caas.Contracts.Alerts;
using Caas.Contracts.Events.Alerts;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Caas.Monitoring.Grains.Alerts;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class AlertLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly AlertSubject Sim = new("job-00000000b1", "nightly-sim", "node-a", "cloud-1");
    private static readonly AlertSubject Other = new("job-00000000b2", "daily-report", "node-b", "cloud-2");

    private readonly FakeTimeProvider _clock = new(T0);
    private readonly AlertHarness _alerts = new(new AlertingOptions
    {
        For = new() { [AlertKind.Stalled] = TimeSpan.FromSeconds(30) },
        FlapWindow = TimeSpan.FromMinutes(5),
    });

    private DateTimeOffset Now => _clock.GetUtcNow();

    private void Begin(AlertKind kind, AlertSubject subject, string message = "it happened")
    {
        _alerts.Commit(_alerts.Lifecycle.Decide(new AlertCondition(kind, subject, Holds: true, message, Now)));
        _alerts.Now = Now;
    }

    private void End(AlertKind kind, AlertSubject subject)
    {
        _alerts.Commit(_alerts.Lifecycle.Decide(new AlertCondition(kind, subject, Holds: false, "", Now)));
        _alerts.Now = Now;
    }

    private AlertView View(AlertKind kind, AlertSubject subject) => _alerts.Lifecycle.Get(AlertLifecycle.IdOf(kind, subject.Id), Now)!;

    [Fact]
    public void A_stall_is_pending_until_its_for_duration_and_fires_at_exactly_that_time()
    {
        Begin(AlertKind.Stalled, Sim);
        _clock.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        _alerts.FireDue(Now);

        Assert.Equal(AlertState.Pending, View(AlertKind.Stalled, Sim).State);
        Assert.Empty(_alerts.Notifications);

        _clock.Advance(TimeSpan.FromTicks(1));
        _alerts.FireDue(Now);

        var alert = View(AlertKind.Stalled, Sim);
        Assert.Equal((AlertState.Firing, T0.AddSeconds(30)), (alert.State, alert.FiredAt));
        var notification = Assert.Single(_alerts.Notifications);
        Assert.Equal(("stalled-job-00000000b1", AlertNotification.Firing, T0.AddSeconds(30)), (notification.AlertId, notification.Status, notification.At));
    }

    [Fact]
    public void A_failure_fires_at_once_and_a_condition_that_holds_again_is_deduplicated()
    {
        Begin(AlertKind.Failed, Sim, "exit code 3");
        Begin(AlertKind.Failed, Sim, "exit code 3 again");

        var alert = View(AlertKind.Failed, Sim);
        Assert.Equal((AlertState.Firing, T0, "exit code 3"), (alert.State, alert.FiredAt, alert.Message));
        Assert.Equal(["AlertRaised", "AlertFired"], _alerts.Recorded.Select(e => e.GetType().Name));
        Assert.Single(_alerts.Notifications);
    }

    [Fact]
    public void A_stall_that_ends_while_pending_resolves_without_any_notification()
    {
        Begin(AlertKind.Stalled, Sim);
        _clock.Advance(TimeSpan.FromSeconds(10));
        End(AlertKind.Stalled, Sim);
        _clock.Advance(TimeSpan.FromMinutes(1));
        _alerts.FireDue(Now);

        var alert = Assert.Single(_alerts.List(includeResolved: true));
        Assert.Equal((AlertState.Resolved, (DateTimeOffset?)null, T0.AddSeconds(10)), (alert.State, alert.FiredAt, alert.ResolvedAt));
        Assert.Empty(_alerts.Notifications);
    }

    [Fact]
    public void An_alert_that_comes_back_within_the_flap_window_is_reopened_without_a_new_notification()
    {
        Begin(AlertKind.Failed, Sim);
        _clock.Advance(TimeSpan.FromMinutes(1));
        End(AlertKind.Failed, Sim);
        _clock.Advance(TimeSpan.FromMinutes(4));
        Begin(AlertKind.Failed, Sim, "failed again");

        var reopened = Assert.Single(_alerts.List(includeResolved: true));
        Assert.Equal((AlertState.Firing, 1, 1, "failed again"), (reopened.State, reopened.Occurrence, reopened.Reopened, reopened.Message));
        Assert.Equal([AlertNotification.Firing, AlertNotification.Resolved], _alerts.Notifications.Select(n => n.Status));

        _clock.Advance(TimeSpan.FromMinutes(1));
        End(AlertKind.Failed, Sim);
        _clock.Advance(TimeSpan.FromMinutes(5));
        Begin(AlertKind.Failed, Sim, "a new failure");

        var listed = _alerts.List(includeResolved: true);
        Assert.Equal([(AlertState.Firing, 2), (AlertState.Resolved, 1)], listed.Select(a => (a.State, a.Occurrence)));
        Assert.Equal([AlertNotification.Firing, AlertNotification.Resolved, AlertNotification.Resolved, AlertNotification.Firing], _alerts.Notifications.Select(n => n.Status));
    }

    [Fact]
    public void An_operator_acknowledges_a_firing_alert_once_and_it_stays_until_resolved()
    {
        Begin(AlertKind.Failed, Sim);
        _clock.Advance(TimeSpan.FromSeconds(5));
        _alerts.Commit(_alerts.Lifecycle.DecideAcknowledge("failed-job-00000000b1", "olivia", " on it ", Now));

        var acknowledged = View(AlertKind.Failed, Sim);
        Assert.Equal((AlertState.Acknowledged, "olivia", T0.AddSeconds(5), "on it"), (acknowledged.State, acknowledged.AcknowledgedBy, acknowledged.AcknowledgedAt, acknowledged.AcknowledgeComment));
        var twice = Assert.Throws<OperationRejectedException>(() => _alerts.Lifecycle.DecideAcknowledge("failed-job-00000000b1", "oscar", null, Now));
        Assert.Equal(RejectionKind.Conflict, twice.Kind);
        Assert.Contains("already acknowledged by olivia", twice.Message, StringComparison.Ordinal);
        Assert.Equal(RejectionKind.NotFound, Assert.Throws<OperationRejectedException>(() => _alerts.Lifecycle.DecideAcknowledge("failed-job-00000000ff", "olivia", null, Now)).Kind);

        End(AlertKind.Failed, Sim);

        Assert.Equal(AlertState.Resolved, View(AlertKind.Failed, Sim).State);
        Assert.Equal(AlertNotification.Resolved, _alerts.Notifications[^1].Status);
        Assert.Equal(RejectionKind.Conflict, Assert.Throws<OperationRejectedException>(() => _alerts.Lifecycle.DecideAcknowledge("failed-job-00000000b1", "olivia", null, Now)).Kind);
    }

    [Fact]
    public void A_pending_alert_cannot_be_acknowledged_yet()
    {
        Begin(AlertKind.Stalled, Sim);

        var refused = Assert.Throws<OperationRejectedException>(() => _alerts.Lifecycle.DecideAcknowledge("stalled-job-00000000b1", "olivia", null, Now));
        Assert.Equal(RejectionKind.Conflict, refused.Kind);
        Assert.Contains("pending", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_silenced_alert_shows_as_silenced_but_is_not_notified_and_after_expiry_alerts_notify_again()
    {
        _alerts.Commit(_alerts.Lifecycle.DecideSilence("s1", new NewSilence { Matchers = new SilenceMatchers { NameGlob = "nightly-*", Kind = AlertKind.Failed }, Duration = TimeSpan.FromHours(2), Reason = "maintenance" }, "olivia", Now));
        Begin(AlertKind.Failed, Sim);
        Begin(AlertKind.Failed, Other);

        Assert.Equal(["s1"], View(AlertKind.Failed, Sim).SilencedBy);
        Assert.Empty(View(AlertKind.Failed, Other).SilencedBy);
        Assert.Equal(["failed-job-00000000b2"], _alerts.Notifications.Select(n => n.AlertId));

        End(AlertKind.Failed, Sim);
        Assert.Single(_alerts.Notifications);

        _clock.Advance(TimeSpan.FromHours(2));
        Begin(AlertKind.Failed, Sim);

        Assert.Empty(View(AlertKind.Failed, Sim).SilencedBy);
        Assert.Equal(["failed-job-00000000b2", "failed-job-00000000b1"], _alerts.Notifications.Select(n => n.AlertId));
        Assert.Empty(_alerts.Lifecycle.Silences(includeExpired: false, Now));
    }

    [Fact]
    public void A_silence_expired_by_hand_ends_at_once_and_cannot_be_expired_twice()
    {
        _alerts.Commit(_alerts.Lifecycle.DecideSilence("s2", new NewSilence { Matchers = new SilenceMatchers { JobId = Sim.Id }, Duration = TimeSpan.FromHours(1), Reason = "known" }, "olivia", Now));
        _clock.Advance(TimeSpan.FromMinutes(1));
        _alerts.Commit(_alerts.Lifecycle.DecideExpire("s2", "oscar", Now));
        Begin(AlertKind.Failed, Sim);

        var silence = Assert.Single(_alerts.Lifecycle.Silences(includeExpired: true, Now));
        Assert.Equal(("oscar", T0.AddMinutes(1)), (silence.ExpiredBy, silence.ExpiredAt));
        Assert.Single(_alerts.Notifications);
        Assert.Equal(RejectionKind.Conflict, Assert.Throws<OperationRejectedException>(() => _alerts.Lifecycle.DecideExpire("s2", "oscar", Now)).Kind);
        Assert.Equal(RejectionKind.NotFound, Assert.Throws<OperationRejectedException>(() => _alerts.Lifecycle.DecideExpire("nope", "oscar", Now)).Kind);
    }

    [Theory]
    [InlineData(null, "2h", "x", "at least one matcher")]
    [InlineData("job-1", "2h", "x", "is not a job id")]
    [InlineData("job-00000000b1", "0s", "x", "duration")]
    [InlineData("job-00000000b1", "2h", " ", "reason")]
    public void A_bad_silence_is_refused_with_its_reason_and_records_nothing(string? job, string duration, string reason, string expected)
    {
        var request = new NewSilence
        {
            Matchers = new SilenceMatchers { JobId = job },
            Duration = duration == "0s" ? TimeSpan.Zero : TimeSpan.FromHours(2),
            Reason = reason,
        };

        var refused = Assert.Throws<OperationRejectedException>(() => _alerts.Lifecycle.DecideSilence("s3", request, "olivia", Now));

        Assert.Equal(RejectionKind.Invalid, refused.Kind);
        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        Assert.Empty(_alerts.Lifecycle.Silences(includeExpired: true, Now));
    }

    [Theory]
    [InlineData("nightly-*", "nightly-sim", true)]
    [InlineData("nightly-?im", "nightly-sim", true)]
    [InlineData("nightly-*", "daily-report", false)]
    [InlineData("sim", "nightly-sim", false)]
    [InlineData("a.b", "axb", false)]
    public void Name_globs_match_whole_names_with_star_and_question_mark(string glob, string name, bool matches) =>
        Assert.Equal(matches, SilenceMatching.GlobMatches(glob, name));

    [Fact]
    public void A_lost_node_inhibits_the_stall_alerts_of_its_jobs_until_it_is_back()
    {
        var lostAt = Now;
        Begin(AlertKind.NodeLost, new AlertSubject("node-a", "node-a", "node-a", null), "node node-a sent no heartbeat");
        Begin(AlertKind.Stalled, Sim);
        Begin(AlertKind.Stalled, Other);
        _clock.Advance(TimeSpan.FromSeconds(30));
        _alerts.FireDue(Now);

        Assert.Equal("inhibited by node node-a lost", View(AlertKind.Stalled, Sim).InhibitedBy);
        Assert.Null(View(AlertKind.Stalled, Other).InhibitedBy);
        Assert.Equal([("nodelost-node-a", lostAt), ("stalled-job-00000000b2", T0.AddSeconds(30))], _alerts.Notifications.Select(n => (n.AlertId, n.At)));
        Assert.Equal(AlertState.Firing, View(AlertKind.Stalled, Sim).State);

        End(AlertKind.NodeLost, new AlertSubject("node-a", "node-a", "node-a", null));

        Assert.Null(View(AlertKind.Stalled, Sim).InhibitedBy);
    }

    [Fact]
    public void A_jobs_alerts_are_its_open_ones_newest_first_and_the_streams_its_history_is_read_from_up_to_what_was_folded()
    {
        Begin(AlertKind.Failed, Sim, "first failure");
        _clock.Advance(TimeSpan.FromMinutes(1));
        End(AlertKind.Failed, Sim);
        Begin(AlertKind.Failed, Other, "another job's failure");
        _clock.Advance(TimeSpan.FromMinutes(10));
        Begin(AlertKind.Failed, Sim, "second failure");
        _clock.Advance(TimeSpan.FromMinutes(1));
        End(AlertKind.Failed, Sim);
        Begin(AlertKind.Starved, Sim, "starved");
        _clock.Advance(TimeSpan.FromMinutes(1));
        Begin(AlertKind.Stalled, Sim, "stalled");

        var (open, streams) = _alerts.Lifecycle.AlertsOf(Sim.Id, Now);

        Assert.Equal(["stalled", "starved"], open.Select(a => a.Message));
        Assert.Equal([AlertState.Pending, AlertState.Firing], open.Select(a => a.State));
        Assert.Equal([("failed-job-00000000b1", 5L), ("stalled-job-00000000b1", 0L), ("starved-job-00000000b1", 1L)], streams.OrderBy(s => s.AlertId, StringComparer.Ordinal));
        Assert.Equal(["another job's failure"], _alerts.Lifecycle.AlertsOf(Other.Id, Now).Open.Select(a => a.Message));
        Assert.Empty(_alerts.Lifecycle.AlertsOf("job-00000000ff", Now).Streams);
    }

    [Fact]
    public void Events_already_folded_are_not_folded_twice()
    {
        Begin(AlertKind.Failed, Sim);
        _alerts.Lifecycle.Apply("alert-failed-job-00000000b1", 0, new AlertRaised("failed-job-00000000b1", AlertKind.Failed, Sim, "again", Now, Now));

        var alert = View(AlertKind.Failed, Sim);
        Assert.Equal((1, AlertState.Firing), (alert.Occurrence, alert.State));
    }
}
