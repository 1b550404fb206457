using Caas.Contracts.Bus;
using MassTransit;

namespace Caas.Monitoring.Tests;

/// <summary>
/// Stands in for a node agent's queue (the agent itself is another area's and is tested there): records the
/// commands sent to it and answers launch checks, refusing executables under /nonexistent as the agent would.
/// </summary>
public sealed class AgentQueueRecorder(BusTap tap, string queue) : IConsumer<LaunchJob>, IConsumer<CheckpointJob>, IConsumer<KillJob>, IConsumer<RestoreJob>, IConsumer<CheckLaunch>,
    IConsumer<VerifyCheckpoint>, IConsumer<DeleteCheckpoint>, IConsumer<TransferCheckpoint>, IConsumer<ReadJobOutput>
{
    public Task Consume(ConsumeContext<ReadJobOutput> context)
    {
        var request = context.Message;
        var speaker = tap.OutputAnsweredAs.TryGetValue(request.JobId, out var other) ? other : request.NodeId;
        return context.RespondAsync(new JobOutputRead(speaker, request.JobId, request.Stream, true, 0, 6, 6, "hello\n"));
    }

    public async Task Consume(ConsumeContext<CheckLaunch> context)
    {
        await Record(context.Message);
        var command = context.Message.Spec.Command;
        await context.RespondAsync(
            command.StartsWith("/nonexistent/", StringComparison.Ordinal) ? new LaunchCheckResult(context.Message.NodeId, false, $"executable '{command}' does not exist")
            // Another node answering in the asked node's place, as an enrolled agent reading others' queues could.
            : command.StartsWith("/impostor/", StringComparison.Ordinal) ? new LaunchCheckResult("node-impostor", false, "refused by a node nobody asked")
            : new LaunchCheckResult(context.Message.NodeId, true, null));
    }

    public Task Consume(ConsumeContext<LaunchJob> context) => Record(context.Message);
    public Task Consume(ConsumeContext<CheckpointJob> context) => Record(context.Message);
    public Task Consume(ConsumeContext<KillJob> context) => Record(context.Message);
    public Task Consume(ConsumeContext<RestoreJob> context) => Record(context.Message);
    public Task Consume(ConsumeContext<VerifyCheckpoint> context) => Record(context.Message);
    public Task Consume(ConsumeContext<DeleteCheckpoint> context) => Record(context.Message);
    public Task Consume(ConsumeContext<TransferCheckpoint> context) => Record(context.Message);

    private Task Record(object message)
    {
        tap.Record(queue, message);
        return Task.CompletedTask;
    }
}
