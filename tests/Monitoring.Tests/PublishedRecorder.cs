using Caas.Contracts.Bus;
using MassTransit;

namespace Caas.Monitoring.Tests;

/// <summary>Subscribes to what monitoring publishes for recovery and records it.</summary>
public sealed class PublishedRecorder(BusTap tap) : IConsumer<JobStallDetected>, IConsumer<RecoveryRequested>, IConsumer<RestoreVerified>,
    IConsumer<RecoveryPlaced>, IConsumer<RecoveryPlacementFailed>
{
    public const string Queue = "monitoring-tests-published";

    public Task Consume(ConsumeContext<JobStallDetected> context) => Record(context.Message);
    public Task Consume(ConsumeContext<RecoveryRequested> context) => Record(context.Message);
    public Task Consume(ConsumeContext<RestoreVerified> context) => Record(context.Message);
    public Task Consume(ConsumeContext<RecoveryPlaced> context) => Record(context.Message);
    public Task Consume(ConsumeContext<RecoveryPlacementFailed> context) => Record(context.Message);

    private Task Record(object message)
    {
        tap.Record(Queue, message);
        return Task.CompletedTask;
    }
}
