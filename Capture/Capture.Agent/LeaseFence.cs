using Caas.Capture.Agent.Jobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Agent;

/// <summary>
/// Self-fencing (when <see cref="AgentOptions.Lease"/> is set): once the platform has not heard this agent for the
/// lease, every job here is killed, before the platform may declare the node lost and restore the jobs elsewhere.
/// Checked several times per heartbeat interval, apart from the heartbeat loop, since a publish into a cut network
/// may hang. The exits are reported once the platform is reachable again.
/// </summary>
public sealed class LeaseFence(NodeJobs jobs, PlatformLease lease, IOptions<AgentOptions> options, TimeProvider time, ILogger<LeaseFence> logger) : BackgroundService
{
    private const int ChecksPerInterval = 4;
    private readonly AgentOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Lease is not { } length)
            return;
        var period = _options.HeartbeatInterval / ChecksPerInterval;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await CheckAsync(length, stoppingToken);
                await Task.Delay(period, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Kills every job here when the lease has run out; does nothing while it holds.</summary>
    public async Task CheckAsync(TimeSpan length, CancellationToken cancellationToken)
    {
        if (!lease.HasExpired(length))
            return;
        var reason = $"self-fenced: node {jobs.NodeId} could not reach the platform since {lease.RenewedAt:u}, longer than its lease of {length}";
        var killed = await jobs.FenceAllAsync(reason, cancellationToken);
        if (killed.Count > 0)
            logger.LogWarning("{Reason}: killed job(s) {Jobs} so that none runs twice once the platform restores them elsewhere", reason, string.Join(", ", killed));
    }
}
