using Caas.Contracts.Services;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Caas.Recovery.Sagas;

/// <summary>
/// When the host has started, re-arms the timeout of every incident left open by a previous run:
/// timeouts are delayed messages of the bus, and an in-memory bus loses them when its host stops.
/// Without this an incident whose agent never answers would stay open forever.
/// </summary>
public sealed class OpenIncidentTimeouts(
    IRecoveryIncidents incidents,
    IBus bus,
    IServiceProvider services,
    ILogger<OpenIncidentTimeouts> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // MassTransit's test harness starts hosted services without a host lifetime.
        if (services.GetService(typeof(IHostApplicationLifetime)) is IHostApplicationLifetime lifetime)
        {
            if (!await HostStartedAsync(lifetime, stoppingToken).ConfigureAwait(false))
                return;
        }

        var open = await incidents.ListOpenAsync(stoppingToken).ConfigureAwait(false);
        foreach (var incident in open)
            await bus.Publish(new RearmRecoveryTimeout(incident.IncidentId), stoppingToken).ConfigureAwait(false);
        if (open.Count > 0)
            logger.LogInformation("Re-armed the timeouts of {Count} open recovery incidents", open.Count);
    }

    /// <summary>The bus is started by its own hosted service; ApplicationStarted comes after all of them.</summary>
    /// <returns>False when the host stopped first.</returns>
    private static async Task<bool> HostStartedAsync(IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
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
