using Caas.Contracts.Bus;
using Caas.Monitoring.Grains.Migration;
using MassTransit;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>Hands the agents' reports of an image transfer's end to the migration waiting for it, wherever it runs.</summary>
public sealed class CheckpointTransferEndedConsumer(TransferOutcomes outcomes) : IConsumer<CheckpointTransferred>, IConsumer<CheckpointTransferFailed>
{
    public Task Consume(ConsumeContext<CheckpointTransferred> context) => outcomes.Arrived(context.Message);

    public Task Consume(ConsumeContext<CheckpointTransferFailed> context) => outcomes.Failed(context.Message);
}
