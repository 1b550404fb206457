using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Nodes;

/// <summary>
/// Starts recovery for every job that ran (or was about to start) on a node the directory declared lost: each such job's grain is told
/// (<see cref="IJobGrain.RecoverFromNodeLoss"/>, idempotent), and it opens the incident. Lost nodes come from the
/// directory's durable liveness and jobs from the silo's own fold of the event store (<see cref="NodeJobsFeed"/>), so after a
/// restart of the platform a loss not yet acted on is acted on then, and no web host is needed. Every silo runs one:
/// two that see the same loss both tell the job, whose grain acts on the first call only (the job is no longer running
/// on the lost node after it), so each loss opens one incident per job.
/// </summary>
public sealed class NodeLossRecovery(
    IGrainFactory grains,
    NodeJobsFeed jobs,
    [FromKeyedServices(MonitoringClock.Key)] TimeProvider time,
    ILogger<NodeLossRecovery> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Losses whose jobs were all told, by node and the moment it was lost (a node lost again is a new loss).</summary>
    private readonly HashSet<(string NodeId, DateTimeOffset Since)> _handled = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // The jobs must have caught up with the store, or a job on the lost node could be missed.
            await jobs.CaughtUp.WaitAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                await LookOnce(stoppingToken);
                await Task.Delay(Interval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>How long a look waits for the feed before leaving the losses to the next look.</summary>
    private static readonly TimeSpan FeedPatience = TimeSpan.FromSeconds(5);

    private async Task LookOnce(CancellationToken cancellationToken)
    {
        try
        {
            var lost = (await grains.GetGrain<INodeLivenessGrain>(0).Liveness())
                .Where(node => node.Health == NodeHealth.Lost && !_handled.Contains((node.NodeId, node.Since)))
                .ToList();
            if (lost.Count == 0)
                return;
            // A job launched on the node just before it was lost may not be folded in yet: a loss is acted on (once) only
            // when the feed holds every event committed before it was seen, or that job would never be recovered.
            if (!await jobs.ReachedHeadAsync(FeedPatience, cancellationToken))
            {
                logger.LogWarning("The silo's job feed is behind the store: node losses wait for the next look");
                return;
            }
            foreach (var node in lost)
            {
                var running = jobs.OnNode(node.NodeId);
                if (running.Count > 0)
                    logger.LogWarning("Node {NodeId} lost at {At}: recovering its {Count} jobs", node.NodeId, node.Since, running.Count);
                await Task.WhenAll(running.Select(job => grains.GetGrain<IJobGrain>(job).RecoverFromNodeLoss(node.NodeId, node.Since)));
                _handled.Add((node.NodeId, node.Since));
            }
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(error, "Recovering the jobs of lost nodes failed; trying again in {Interval}", Interval);
        }
    }
}
