using Caas.Contracts.Events;
using Caas.Contracts.Views;
using Caas.Monitoring.Grains;
using Caas.Monitoring.Grains.Alerts;

namespace Caas.Monitoring.Tests;

/// <summary>
/// Job events through <see cref="AlertConditions"/> into an <see cref="AlertLifecycle"/> whose decisions are applied
/// at once, as the engine does after a successful append; notifications are collected instead of queued.
/// </summary>
internal sealed class AlertHarness(AlertingOptions? options = null)
{
    public AlertingOptions Options { get; } = options ?? new AlertingOptions { For = [] };
    public AlertConditions Conditions { get; } = new();
    public AlertLifecycle Lifecycle => _lifecycle ??= new AlertLifecycle(Options);
    public List<AlertNotification> Notifications { get; } = [];
    public List<object> Recorded { get; } = [];
    /// <summary>The time views are taken at (silences are active relative to it).</summary>
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

    private AlertLifecycle? _lifecycle;

    public void Apply(IJobEvent jobEvent, JobState job)
    {
        foreach (var condition in Conditions.Apply(jobEvent, job))
            Commit(Lifecycle.Decide(condition));
    }

    public void Commit(AlertAppend? append)
    {
        if (append is null)
            return;
        for (var i = 0; i < append.Events.Count; i++)
        {
            Lifecycle.Apply(append.Stream, append.ExpectedVersion + 1 + i, append.Events[i]);
            Recorded.Add(append.Events[i]);
        }
        if (append.Notification is { } notification)
            Notifications.Add(notification);
    }

    public void FireDue(DateTimeOffset now)
    {
        foreach (var due in Lifecycle.DecideDue(now))
            Commit(due);
    }

    public IReadOnlyList<AlertView> List(bool includeResolved) => Lifecycle.List(null, includeResolved, 0, 1000, Now).Items;
}
