using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>
/// Fans one node's batched heartbeat out to the node directory and to each job's grain. The message is
/// acknowledged only after every grain has recorded its sample, so an acknowledged heartbeat is in the store.
/// </summary>
public sealed class NodeHeartbeatConsumer(IGrainFactory grains, ILogger<NodeHeartbeatConsumer> logger) : IConsumer<NodeHeartbeat>
{
    public async Task Consume(ConsumeContext<NodeHeartbeat> context)
    {
        var heartbeat = context.Message;
        if (heartbeat.Node is null || string.IsNullOrWhiteSpace(heartbeat.Node.NodeId))
        {
            logger.LogWarning("Dropped a node heartbeat without a node id");
            return;
        }
        var nodeId = heartbeat.Node.NodeId;
        var recordings = new List<Task> { grains.GetGrain<INodeDirectoryGrain>(0).RecordHeartbeat(heartbeat.Node) };
        foreach (var sample in heartbeat.Samples ?? [])
        {
            if (sample is null || !JobIds.IsValid(sample.JobId))
            {
                logger.LogWarning("Dropped a sample from node {NodeId} naming '{JobId}', which is not a job id", nodeId, sample?.JobId);
                continue;
            }
            recordings.Add(grains.GetGrain<IJobGrain>(sample.JobId).RecordHeartbeat(nodeId, sample, heartbeat.At));
        }
        var samples = recordings.Count - 1;
        // One call per distributed job with the node's ranks of it; the grain decides what of them becomes an event.
        foreach (var job in (heartbeat.RankSamples ?? []).Where(r => r?.Sample is not null).GroupBy(r => r.Sample.JobId))
        {
            if (!JobIds.IsValid(job.Key))
            {
                logger.LogWarning("Dropped rank samples from node {NodeId} naming '{JobId}', which is not a job id", nodeId, job.Key);
                continue;
            }
            recordings.Add(grains.GetGrain<IDistributedJobGrain>(job.Key).RecordRankSamples(nodeId, [.. job], heartbeat.At));
        }
        await Task.WhenAll(recordings);
        MonitoringMetrics.HeartbeatSamples.Add(samples);
    }
}
