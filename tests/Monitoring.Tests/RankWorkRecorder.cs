using Caas.Contracts.Bus;
using MassTransit;

namespace Caas.Monitoring.Tests;

/// <summary>
/// Stands in for the platform host that drives the ranks of distributed jobs (tested end to end with real agents in
/// EndToEnd.Tests): records the work the job grains send to <see cref="DistributedJobAddress"/>; tests play the outcomes.
/// </summary>
public sealed class RankWorkRecorder(BusTap tap) : IConsumer<LaunchRanks>, IConsumer<CheckpointRanks>, IConsumer<RestoreRanks>, IConsumer<StopRanks>, IConsumer<UnlockRanks>
{
    public Task Consume(ConsumeContext<LaunchRanks> context) => Record(context.Message);
    public Task Consume(ConsumeContext<CheckpointRanks> context) => Record(context.Message);
    public Task Consume(ConsumeContext<RestoreRanks> context) => Record(context.Message);
    public Task Consume(ConsumeContext<StopRanks> context) => Record(context.Message);
    public Task Consume(ConsumeContext<UnlockRanks> context) => Record(context.Message);

    private Task Record(object message)
    {
        tap.Record(DistributedJobAddress.QueueName, message);
        return Task.CompletedTask;
    }
}
