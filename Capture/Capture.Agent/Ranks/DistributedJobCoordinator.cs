using Caas.Capture.Engine;
using Caas.Capture.Engine.Distributed;
using Caas.Contracts.Bus;
using MassTransit;

namespace Caas.Capture.Agent.Ranks;

/// <summary>
/// Drives the ranks of one distributed job across agents over the bus: launch, coordinated checkpoint (lock all, dump
/// all, unlock or stop all; any failure unlocks all and the job runs on) and coordinated restore (prepare all locked,
/// restore all, unlock all; any failure abandons all), with the protocol rules of <see cref="CoordinatedCheckpoint"/>
/// and <see cref="CoordinatedRestore"/>. It keeps its state in memory for the length of one call: a crash of the
/// process that runs it in the middle of a checkpoint leaves the ranks locked (the persisted state machine that
/// resumes it is still to come, docs/capture.md "Not done yet").
/// </summary>
public sealed class DistributedJobCoordinator(IBus bus, TimeSpan stepTimeout)
{
    /// <summary>Starts every rank on its agent (all at once); a failure in any rank stops those that started.</summary>
    /// <exception cref="DistributedCheckpointFailedException">Names the ranks that could not start.</exception>
    public async Task LaunchAsync(string jobId, IReadOnlyList<RankPlacement> placements, string command, IReadOnlyList<string> args,
        CancellationToken cancellationToken = default)
    {
        RequireDistinct(placements);
        var addresses = placements.OrderBy(p => p.Rank).Select(p => p.Address).ToList();
        var outcomes = await Task.WhenAll(placements.Select(async p =>
        {
            var client = bus.CreateRequestClient<LaunchRank>(AgentAddress.For(p.NodeId), RequestTimeout.After(ms: (int)stepTimeout.TotalMilliseconds));
            try
            {
                var response = await client.GetResponse<RankStepDone, RankStepFailed>(
                    new LaunchRank(jobId, p.Rank, p.NodeId, addresses, command, args), cancellationToken);
                if (!AgentMessages.IsAnswerOf(response.Message, p.NodeId))
                    return (p.Rank, Error: BusRank.AnswerFromAnotherNode(response.Message, p.NodeId, "launch"));
                return (p.Rank, Error: response.Is(out Response<RankStepFailed>? failed) ? $"{p.NodeId}: {failed.Message.Reason}" : null);
            }
            catch (RequestTimeoutException)
            {
                return (p.Rank, Error: $"{p.NodeId} did not answer the launch within {stepTimeout.TotalSeconds:0.#} s");
            }
        }));
        var failures = outcomes.Where(o => o.Error is not null).OrderBy(o => o.Rank).ToList();
        if (failures.Count == 0)
            return;
        // Ranks that started without their peers would wait for them for ever.
        foreach (var started in placements.Where(p => failures.All(f => f.Rank != p.Rank)))
        {
            try
            {
                await Rank(jobId, started, 0).StopAsync(CancellationToken.None);
            }
            catch (CheckpointEngineException)
            {
            }
        }
        throw new DistributedCheckpointFailedException(
            $"launch failed in {string.Join("; ", failures.Select(f => $"rank {f.Rank}: {f.Error}"))}", [.. failures.Select(f => f.Rank)]);
    }

    /// <summary>Checkpoint <paramref name="sequence"/> of every rank, each on the agent that holds it.</summary>
    public Task<CoordinatedCheckpointResult> CheckpointAsync(string jobId, int sequence, IReadOnlyList<RankPlacement> placements, bool stop,
        CancellationToken cancellationToken = default)
    {
        RequireDistinct(placements);
        return CoordinatedCheckpoint.RunAsync([.. placements.Select(p => Rank(jobId, p, sequence))], _ => "", stop, cancellationToken);
    }

    /// <summary>
    /// Restores checkpoint <paramref name="sequence"/> of every rank on the agent the placement names, which must hold
    /// the rank's bundle (see <see cref="RestoreElsewhereAsync"/> to move them first), with the address the placement gives.
    /// </summary>
    public Task RestoreAsync(string jobId, int sequence, IReadOnlyList<RankPlacement> placements, CancellationToken cancellationToken = default)
    {
        RequireDistinct(placements);
        return CoordinatedRestore.RunAsync([.. placements.Select(p => Rank(jobId, p, sequence))], cancellationToken);
    }

    /// <summary>
    /// Restores checkpoint <paramref name="sequence"/> of every rank on the agent <paramref name="to"/> names, after moving
    /// the rank bundles of the ranks that change node from the agents <paramref name="from"/> names (where they were
    /// dumped). Each rank keeps its address: its established connections are bound to it, and the bundle, which carries
    /// it signed, is refused at any other. The ranks must have been stopped (checkpoint with stop) so their addresses are free.
    /// </summary>
    /// <exception cref="DistributedCheckpointFailedException">A bundle did not arrive, or a rank could not be restored; nothing was restored.</exception>
    public async Task RestoreElsewhereAsync(string jobId, int sequence, IReadOnlyList<RankPlacement> from, IReadOnlyList<RankPlacement> to,
        CancellationToken cancellationToken = default)
    {
        RequireDistinct(from);
        RequireDistinct(to);
        if (from.Count != to.Count)
            throw new ArgumentException($"the job has {from.Count} ranks; {to.Count} placements were given", nameof(to));
        if (to.FirstOrDefault(t => from.Single(f => f.Rank == t.Rank).Address != t.Address) is { } moved)
            throw new ArgumentException($"rank {moved.Rank} must keep its address {from.Single(f => f.Rank == moved.Rank).Address}: its connections are bound to it", nameof(to));
        await new RankBundleTransfers(bus, stepTimeout).MoveAsync(jobId, sequence, from, to, cancellationToken);
        await RestoreAsync(jobId, sequence, to, cancellationToken);
    }

    private BusRank Rank(string jobId, RankPlacement placement, int sequence) => new(bus, jobId, placement, sequence, stepTimeout);

    private static void RequireDistinct(IReadOnlyList<RankPlacement> placements)
    {
        if (placements.Count == 0)
            throw new ArgumentException("a distributed job needs at least one rank", nameof(placements));
        if (!placements.Select(p => p.Rank).Order().SequenceEqual(Enumerable.Range(0, placements.Count)))
            throw new ArgumentException("ranks must be numbered 0 to N-1, each once", nameof(placements));
        if (placements.Select(p => p.Address).Distinct().Count() != placements.Count)
            throw new ArgumentException("two ranks were given the same address", nameof(placements));
    }
}
