using Caas.Contracts.Alerts;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>Alerts and silences for the portal and API: reads from the lifecycle with deliveries from the outbox, writes through the engine.</summary>
public sealed class AlertOperations(
    AlertLifecycle lifecycle,
    AlertEngine engine,
    JobAlertHistory jobHistory,
    IAlertOutbox outbox,
    [FromKeyedServices(MonitoringClock.Key)] TimeProvider time) : IAlertOperations
{
    public const int MaxPageSize = 1000;

    public async Task<Page<AlertView>> ListAlertsAsync(AlertState? state, bool includeResolved, int skip, int take, CancellationToken cancellationToken = default)
    {
        if (state is { } s && !Enum.IsDefined(s))
            throw new OperationRejectedException(RejectionKind.Invalid, $"'{(int)s}' is not an alert state.");
        RequirePaging(skip, take);
        var page = lifecycle.List(state, includeResolved, skip, take, time.GetUtcNow());
        return page with { Items = await WithDeliveriesAsync(page.Items, cancellationToken) };
    }

    public async Task<Page<AlertView>> ListJobAlertsAsync(string jobId, int skip, int take, CancellationToken cancellationToken = default)
    {
        if (!JobIds.IsValid(jobId))
            throw new OperationRejectedException(RejectionKind.Invalid, $"'{jobId}' is not a job id: job ids look like 'job-' followed by 10 hex digits.");
        RequirePaging(skip, take);
        var page = await jobHistory.ListAsync(jobId, skip, take, time.GetUtcNow(), cancellationToken);
        return page with { Items = await WithDeliveriesAsync(page.Items, cancellationToken) };
    }

    public async Task<AlertView?> GetAlertAsync(string alertId, CancellationToken cancellationToken = default) =>
        lifecycle.Get(alertId, time.GetUtcNow()) is { } alert ? (await WithDeliveriesAsync([alert], cancellationToken))[0] : null;

    public async Task<AlertView> AcknowledgeAsync(string alertId, string by, string? comment, CancellationToken cancellationToken = default)
    {
        await engine.RunCommandAsync(now => lifecycle.DecideAcknowledge(alertId, by, comment, now), cancellationToken);
        return (await GetAlertAsync(alertId, cancellationToken))!;
    }

    public Task<IReadOnlyList<SilenceView>> ListSilencesAsync(bool includeExpired, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifecycle.Silences(includeExpired, time.GetUtcNow()));

    public async Task<SilenceView> CreateSilenceAsync(NewSilence silence, string by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silence);
        var id = $"{Guid.NewGuid():N}"[..12];
        await engine.RunCommandAsync(now => lifecycle.DecideSilence(id, silence, by, now), cancellationToken);
        return lifecycle.Silence(id)!;
    }

    public async Task<SilenceView> ExpireSilenceAsync(string silenceId, string by, CancellationToken cancellationToken = default)
    {
        await engine.RunCommandAsync(now => lifecycle.DecideExpire(silenceId, by, now), cancellationToken);
        return lifecycle.Silence(silenceId)!;
    }

    private static void RequirePaging(int skip, int take)
    {
        if (skip < 0)
            throw new OperationRejectedException(RejectionKind.Invalid, $"'skip' must be 0 or more, not {skip}.");
        if (take is < 1 or > MaxPageSize)
            throw new OperationRejectedException(RejectionKind.Invalid, $"'take' must be between 1 and {MaxPageSize}, not {take}.");
    }

    private async Task<IReadOnlyList<AlertView>> WithDeliveriesAsync(IReadOnlyList<AlertView> alerts, CancellationToken cancellationToken)
    {
        if (alerts.Count == 0)
            return alerts;
        var deliveries = await outbox.ListAsync(alerts.Select(a => a.Id).Distinct().ToArray(), cancellationToken);
        return alerts.Select(a => deliveries.TryGetValue((a.Id, a.Occurrence), out var d) ? a with { Deliveries = d } : a).ToArray();
    }
}
