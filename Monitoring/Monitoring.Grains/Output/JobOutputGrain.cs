using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using MassTransit;
using Orleans.Concurrency;

namespace Caas.Monitoring.Grains.Output;

/// <summary>
/// Asks the agent of the node the job runs (or last ran) on for its output. The output lives only there (the shim
/// writes it into the job's state directory, and a checkpoint carries it along to the node a job moves to), so the
/// answer is that node's copy.
/// </summary>
[StatelessWorker]
public sealed class JobOutputGrain(IBus bus) : Grain, IJobOutputGrain
{
    private static readonly TimeSpan AgentTimeout = TimeSpan.FromSeconds(5);

    public async Task<JobOutput> Read(JobOutputQuery query)
    {
        query.Validate();
        var jobId = this.GetPrimaryKeyString();
        var job = JobIds.IsValid(jobId) ? await GrainFactory.GetGrain<IJobGrain>(jobId).GetView() : null;
        if (job is null)
            throw new OperationRejectedException(RejectionKind.NotFound, $"No job has id '{jobId}'.");
        var running = job.Status is JobStatus.Queued or JobStatus.Running or JobStatus.Restoring;
        if (job.NodeId is not { } node)
            return new JobOutput { JobId = jobId, Stream = query.Stream, Running = running, Note = "The job has not run on a node yet, so it has no output." };
        var client = bus.CreateRequestClient<ReadJobOutput>(AgentAddress.For(node), RequestTimeout.After(s: (int)AgentTimeout.TotalSeconds));
        JobOutputRead read;
        try
        {
            read = (await client.GetResponse<JobOutputRead>(new ReadJobOutput(node, jobId, query.Stream, query.From, query.TailLines, query.MaxBytes))).Message;
        }
        catch (RequestTimeoutException)
        {
            // An answer without the node's valid credential is dropped before it gets here (and audited as agent.refused).
            throw new OperationRejectedException(RejectionKind.Conflict,
                $"Node {node}, which holds the output of {jobId}, did not answer within {AgentTimeout.TotalSeconds:0} s; is its agent running, " +
                "and enrolled (the audit trail lists refused answers as agent.refused)? Try again when the node is back.");
        }
        if (!AgentMessages.IsAnswerOf(read, node))
            throw new OperationRejectedException(RejectionKind.Conflict,
                $"Node {read.NodeId} answered for node {node}, which holds the output of {jobId}; its answer is not shown. Try again.");
        return new JobOutput
        {
            JobId = jobId, NodeId = node, Stream = query.Stream, Start = read.Start, End = read.End, Length = read.Length, Text = read.Text, Running = running,
            Note = read.Exists ? null : $"Node {node} holds no {StreamName(query.Stream)} of {jobId} (a distributed job's ranks keep theirs per rank).",
        };
    }

    private static string StreamName(JobOutputStream stream) => stream == JobOutputStream.Stderr ? "stderr" : "stdout";
}
