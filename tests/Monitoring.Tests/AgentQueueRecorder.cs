using Caas.Contracts.Bus;
using MassTransit;

namespace Caas.Monitoring.Tests;

/// <summary>Stands in for a node agent's queue: records the commands sent to it.</summary>
public sealed class AgentQueueRecorder(BusTap tap, string queue) : IConsumer<LaunchJob>, IConsumer<CheckpointJob>, IConsumer<KillJob>, IConsumer<RestoreJob>
{
    public Task Consume(ConsumeContext<LaunchJob> context) => Record(context.Message);
    public Task Consume(ConsumeContext<CheckpointJob> context) => Record(context.Message);
    public Task Consume(ConsumeContext<KillJob> context) => Record(context.Message);
    public Task Consume(ConsumeContext<RestoreJob> context) => Record(context.Message);

    private Task Record(object message)
    {
        tap.Record(queue, message);
        return Task.CompletedTask;
    }
}
