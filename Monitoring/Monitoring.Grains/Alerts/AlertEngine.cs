using Caas.Contracts.Services;
using Caas.Monitoring.EventStore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>
/// Carries out <see cref="AlertLifecycle"/>'s decisions one at a time: appends them to the alert's stream, folds them,
/// and queues their notification. Fed with condition changes and recorded alert events by the projection feed.
/// </summary>
public sealed class AlertEngine(
    IEventStore store,
    EventSerializer serializer,
    AlertLifecycle lifecycle,
    IAlertOutbox outbox,
    [FromKeyedServices(MonitoringClock.Key)] TimeProvider time,
    ILogger<AlertEngine> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the feed has delivered the history present at start; before that, nothing fires by time.</summary>
    public Task CaughtUp => _caughtUp.Task;

    public void MarkCaughtUp() => _caughtUp.TrySetResult();

    public async ValueTask OnConditionsAsync(IReadOnlyList<AlertCondition> changes, CancellationToken cancellationToken)
    {
        foreach (var change in changes)
            await RunAsync(() => lifecycle.Decide(change), cancellationToken);
    }

    /// <summary>An alert or silence event as the store delivers it (ours, already folded, or another host's).</summary>
    public void OnRecorded(RecordedEvent recorded, object storedEvent) => lifecycle.Apply(recorded.Stream, recorded.Version, storedEvent);

    public async Task FireDueAsync(CancellationToken cancellationToken)
    {
        foreach (var due in lifecycle.DecideDue(time.GetUtcNow()))
            await RunAsync(() => lifecycle.DecideDue(time.GetUtcNow()).FirstOrDefault(d => d.Stream == due.Stream), cancellationToken);
    }

    /// <summary>Decides and records under one lock, so no other decision slips in between.</summary>
    /// <exception cref="OperationRejectedException">The decision refused; or the alert changed meanwhile (Conflict).</exception>
    public async Task RunCommandAsync(Func<DateTimeOffset, AlertAppend> decide, CancellationToken cancellationToken)
    {
        if (!await RunAsync(() => decide(time.GetUtcNow()), cancellationToken))
            throw new OperationRejectedException(RejectionKind.Conflict, "It changed while you acted; look again and retry.");
    }

    private async Task<bool> RunAsync(Func<AlertAppend?> decide, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (decide() is not { } append)
                return true;
            var data = append.Events.Select((e, i) => serializer.ToEventData(append.Stream, append.ExpectedVersion + 1 + i, e)).ToArray();
            try
            {
                await store.AppendAsync(append.Stream, append.ExpectedVersion < 0 ? ExpectedVersion.NoStream : append.ExpectedVersion, data, cancellationToken);
            }
            catch (WrongExpectedVersionException error)
            {
                // Another host decided first (or an old decision differs from this build's); its events reach us through the feed.
                logger.LogInformation("Alert stream {Stream} moved on before this decision: {Message}", append.Stream, error.Message);
                return false;
            }
            for (var i = 0; i < append.Events.Count; i++)
                lifecycle.Apply(append.Stream, append.ExpectedVersion + 1 + i, append.Events[i]);
            if (append.Notification is { } notification)
                await outbox.EnqueueAsync(data[^1].EventId, notification, cancellationToken);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }
}
