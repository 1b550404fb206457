using Caas.Capture.Engine;
using Caas.Capture.Engine.Distributed;
using Caas.Contracts.Bus;
using MassTransit;

namespace Caas.Capture.Agent.Ranks;

/// <summary>
/// A rank held by an agent somewhere, as the coordinated protocol sees it: every step is a <see cref="RankStep"/>
/// request to that agent's queue. A refusal, a failure or no answer within the step timeout fails the step, which
/// the protocol gathers with the other ranks' outcomes.
/// </summary>
public sealed class BusRank(IBus bus, string jobId, RankPlacement placement, int sequence, TimeSpan stepTimeout) : ICheckpointRank, IRestoreRank
{
    public int Rank => placement.Rank;

    public Task LockAsync(CancellationToken cancellationToken) => StepAsync(RankStepKind.Lock, cancellationToken);

    public Task UnlockAsync(CancellationToken cancellationToken) => StepAsync(RankStepKind.Unlock, cancellationToken);

    /// <summary>The agent writes the images under its own data directory, as checkpoint <c>sequence</c>; <paramref name="imagesDirectory"/> is not sent.</summary>
    public async Task<CheckpointTimings> DumpAsync(string imagesDirectory, CancellationToken cancellationToken)
    {
        var done = await StepAsync(RankStepKind.Dump, cancellationToken);
        return new CheckpointTimings(TimeSpan.FromMilliseconds(done.PauseMilliseconds), TimeSpan.FromMilliseconds(done.DumpMilliseconds));
    }

    public Task StopAsync(CancellationToken cancellationToken) => StepAsync(RankStepKind.Stop, cancellationToken);

    public Task PrepareAsync(CancellationToken cancellationToken) => StepAsync(RankStepKind.Prepare, cancellationToken);

    public Task RestoreAsync(CancellationToken cancellationToken) => StepAsync(RankStepKind.Restore, cancellationToken);

    public Task AbandonAsync(CancellationToken cancellationToken) => StepAsync(RankStepKind.Abandon, cancellationToken);

    private async Task<RankStepDone> StepAsync(RankStepKind kind, CancellationToken cancellationToken)
    {
        var client = bus.CreateRequestClient<RankStep>(AgentAddress.For(placement.NodeId), RequestTimeout.After(ms: (int)stepTimeout.TotalMilliseconds));
        try
        {
            var response = await client.GetResponse<RankStepDone, RankStepFailed>(
                new RankStep(jobId, placement.Rank, placement.NodeId, kind, sequence, placement.Address), cancellationToken);
            if (!AgentMessages.IsAnswerOf(response.Message, placement.NodeId))
                throw new CheckpointEngineException(AnswerFromAnotherNode(response.Message, placement.NodeId, kind.ToString()));
            if (response.Is(out Response<RankStepFailed>? failed))
                throw new CheckpointEngineException($"{placement.NodeId}: {failed.Message.Reason}");
            return response.Is(out Response<RankStepDone>? done) ? done.Message
                : throw new CheckpointEngineException($"{placement.NodeId} answered {kind} with {response.Message.GetType().Name}");
        }
        catch (RequestFaultException e)
        {
            throw new CheckpointEngineException($"{placement.NodeId} failed {kind}: {string.Join("; ", e.Fault?.Exceptions.Select(x => x.Message) ?? [e.Message])}");
        }
        catch (RequestTimeoutException)
        {
            throw new CheckpointEngineException($"{placement.NodeId} did not answer {kind} within {stepTimeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Why an answer from another node than the one asked is not taken for a rank step's outcome.</summary>
    internal static string AnswerFromAnotherNode(object answer, string nodeAsked, string step) =>
        $"{nodeAsked} was asked to {step}, but node {(AgentMessages.TryGetSpeaker(answer, out var speaker) ? speaker : "?")} answered; its answer is ignored";
}
