using Caas.Contracts.Alerts;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;
using Caas.Monitoring.Grains.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>
/// Turns the node directory's lost/back announcements (already damped against flapping by
/// <see cref="NodeLivenessDetector"/>) into NodeLost alert conditions, which inhibit the stall alerts of the node's jobs.
/// </summary>
public sealed class NodeLossWatcher(
    IGrainFactory grains,
    AlertEngine engine,
    [FromKeyedServices(MonitoringClock.Key)] TimeProvider time,
    ILogger<NodeLossWatcher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly HashSet<NodeLivenessChange> _seen = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await engine.CaughtUp.WaitAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    foreach (var change in await grains.GetGrain<INodeLivenessGrain>(0).Changes())
                    {
                        if (_seen.Add(change))
                            await engine.OnConditionsAsync([ConditionOf(change)], stoppingToken);
                    }
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    logger.LogDebug(error, "Reading node liveness failed; trying again");
                }
                await Task.Delay(Interval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public static AlertCondition ConditionOf(NodeLivenessChange change) =>
        new(AlertKind.NodeLost, new AlertSubject(change.NodeId, change.NodeId, change.NodeId, null), change.Health == NodeHealth.Lost,
            $"node {change.NodeId} sent no heartbeat; its jobs' stall alerts are inhibited", change.At);
}
