using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Caas.Recovery.Sagas.Scheduling;

/// <summary>
/// Sends scheduled messages when they are due, on the host's <see cref="TimeProvider"/>. A message is
/// marked sent only after the bus accepted it, so a crash in between sends it again (at least once);
/// the saga ignores a duplicate by its scheduling token. Several dispatchers on one database share
/// the work through claims: in normal operation each message is sent once.
/// </summary>
public sealed class ScheduledMessageDispatcher(
    IScheduledMessageStore store,
    IBus bus,
    DispatchSignal signal,
    TimeProvider time,
    DispatcherOptions options,
    IServiceProvider services,
    ILogger<ScheduledMessageDispatcher> logger) : BackgroundService
{
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    /// <summary>Who holds a claim, in the store and in logs.</summary>
    public string Id { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await BusStartedAsync(stoppingToken).ConfigureAwait(false))
            return;
        while (!stoppingToken.IsCancellationRequested)
        {
            var woken = signal.NextAsync();
            TimeSpan wait;
            try
            {
                await DispatchDueAsync(stoppingToken).ConfigureAwait(false);
                await PruneNowAndThenAsync(stoppingToken).ConfigureAwait(false);
                wait = await UntilNextDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database may be restarting: keep polling rather than stop the host's timeouts for good.
                logger.LogWarning(e, "Dispatcher {Dispatcher} could not read the scheduled messages; trying again", Id);
                wait = options.PollInterval;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await WaitAsync(wait, woken, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Claims and sends every message due now, batch after batch.</summary>
    public async Task DispatchDueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var claimed = await store.ClaimDueAsync(Id, time.GetUtcNow(), options.ClaimLease, options.BatchSize, cancellationToken).ConfigureAwait(false);
            foreach (var message in claimed)
                await SendAsync(message, cancellationToken).ConfigureAwait(false);
            if (claimed.Count < options.BatchSize)
                return;
        }
    }

    private async Task SendAsync(ScheduledEnvelope message, CancellationToken cancellationToken)
    {
        try
        {
            var endpoint = await bus.GetSendEndpoint(message.Destination).ConfigureAwait(false);
            await endpoint.Send(new SerializedMessageBody(), new ScheduledMessageSendPipe(message), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Scheduled message {TokenId} ({MessageType}) to {Destination} could not be sent; retrying in {RetryDelay}",
                message.TokenId, message.MessageTypes.FirstOrDefault(), message.Destination, options.RetryDelay);
            await store.RetryLaterAsync(message.TokenId, Id, time.GetUtcNow() + options.RetryDelay, e.Message, cancellationToken).ConfigureAwait(false);
            return;
        }
        // Sent: if marking fails now, the claim runs out and the message goes again, which the token makes harmless.
        await store.MarkSentAsync(message.TokenId, Id, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        logger.LogDebug("Sent scheduled message {TokenId} ({MessageType}) to {Destination}", message.TokenId, message.MessageTypes.FirstOrDefault(), message.Destination);
    }

    private async Task<TimeSpan> UntilNextDueAsync(CancellationToken cancellationToken)
    {
        var next = await store.NextDueAsync(cancellationToken).ConfigureAwait(false);
        if (next is null)
            return options.PollInterval;
        var until = next.Value - time.GetUtcNow();
        return until <= TimeSpan.Zero ? TimeSpan.Zero : until < options.PollInterval ? until : options.PollInterval;
    }

    private async Task PruneNowAndThenAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - _lastPrune < TimeSpan.FromHours(1))
            return;
        _lastPrune = now;
        var pruned = await store.PruneAsync(now - options.Retention, cancellationToken).ConfigureAwait(false);
        if (pruned > 0)
            logger.LogInformation("Pruned {Count} scheduled messages sent or cancelled more than {Retention} ago", pruned, options.Retention);
    }

    private async Task WaitAsync(TimeSpan wait, Task woken, CancellationToken stoppingToken)
    {
        if (wait <= TimeSpan.Zero)
            return;
        using var delayCancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = Task.Delay(wait, time, delayCancel.Token);
        await Task.WhenAny(delay, woken).ConfigureAwait(false);
        // Cancel the timer a wake-up made moot, so that waits do not pile up on the clock.
        await delayCancel.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>The bus is started by its own hosted service; ApplicationStarted comes after all of them. MassTransit's test harness has no host lifetime.</summary>
    /// <returns>False when the host stopped first.</returns>
    private async Task<bool> BusStartedAsync(CancellationToken stoppingToken)
    {
        if (services.GetService(typeof(IHostApplicationLifetime)) is not IHostApplicationLifetime lifetime)
            return true;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
        return true;
    }
}
