using Caas.Contracts.Bus;
using Caas.Capture.Agent.Jobs;
using MassTransit;

namespace Caas.Capture.Agent.Consumers;

/// <summary>Test-restores a checkpoint held on this node; answers with <see cref="CheckpointVerificationEnded"/>.</summary>
public sealed class VerifyCheckpointConsumer(NodeJobs jobs, CheckpointTestRestore testRestore, TimeProvider time) : IConsumer<VerifyCheckpoint>
{
    public async Task Consume(ConsumeContext<VerifyCheckpoint> context)
    {
        var command = context.Message;
        if (command.NodeId != jobs.NodeId)
            return;
        var problem = await testRestore.VerifyAsync(command.JobId, command.Sequence, context.CancellationToken);
        await context.Publish(new CheckpointVerificationEnded(command.JobId, jobs.NodeId, command.Sequence, problem is null, problem, time.GetUtcNow()));
    }
}
