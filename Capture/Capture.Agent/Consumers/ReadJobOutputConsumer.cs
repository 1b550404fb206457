using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;
using Caas.Capture.Agent.Jobs;
using MassTransit;

namespace Caas.Capture.Agent.Consumers;

/// <summary>Answers a read of a job's captured stdout or stderr from this node's copy (<see cref="JobOutputFiles"/>).</summary>
public sealed class ReadJobOutputConsumer(NodeJobs jobs, AgentPaths paths) : IConsumer<ReadJobOutput>
{
    public async Task Consume(ConsumeContext<ReadJobOutput> context)
    {
        var request = context.Message;
        if (request.NodeId != jobs.NodeId)
            return;
        // The id names a directory: anything but a job id (a path, "..") reads nothing.
        var answer = JobIds.IsValid(request.JobId)
            ? JobOutputFiles.Read(jobs.NodeId, request.JobId, request.Stream, paths.JobDirectory(request.JobId), request.From,
                Math.Clamp(request.TailLines, 1, JobOutputQuery.MaxTailLines), Math.Clamp(request.MaxBytes, 1, JobOutputQuery.MaxMaxBytes))
            : new JobOutputRead(jobs.NodeId, request.JobId, request.Stream, false, 0, 0, 0, "");
        await context.RespondAsync(answer);
    }
}
