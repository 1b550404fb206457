using System.Collections.Concurrent;
using Caas.Capture.Engine.Distributed;
using Caas.Contracts.Bus;
using MassTransit;

namespace Caas.Capture.Agent.Ranks;

/// <summary>
/// Moves the rank bundles of one coordinated checkpoint from the agents that hold them to the agents that are to restore
/// them, with the agents' own transfer (<see cref="TransferCheckpoint"/>: a signed, expiring token, streamed, resumable,
/// and verified by the target before the bundle is kept), all ranks at once. It listens for the outcome on a temporary
/// endpoint of its own for the length of one call.
/// </summary>
public sealed class RankBundleTransfers(IBus bus, TimeSpan timeout)
{
    /// <summary>Every rank whose node differs between <paramref name="from"/> and <paramref name="to"/> has its bundle moved; the others stay.</summary>
    /// <exception cref="DistributedCheckpointFailedException">Names each rank whose bundle did not arrive, with the agent's reason.</exception>
    public async Task MoveAsync(string jobId, int sequence, IReadOnlyList<RankPlacement> from, IReadOnlyList<RankPlacement> to, CancellationToken cancellationToken = default)
    {
        var moves = to.Select(target => (Target: target, Source: from.Single(f => f.Rank == target.Rank)))
            .Where(m => m.Source.NodeId != m.Target.NodeId)
            .Select(m => (m.Source, m.Target, TransferId: Guid.NewGuid()))
            .ToList();
        if (moves.Count == 0)
            return;
        var outcomes = new ConcurrentDictionary<Guid, TaskCompletionSource<string?>>(
            moves.Select(m => KeyValuePair.Create(m.TransferId, new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously))));
        var endpoint = bus.ConnectReceiveEndpoint(new TemporaryEndpointDefinition(), DefaultEndpointNameFormatter.Instance, e =>
        {
            e.Handler<CheckpointTransferred>(context =>
            {
                if (outcomes.TryGetValue(context.Message.TransferId, out var outcome))
                    outcome.TrySetResult(null);
                return Task.CompletedTask;
            });
            e.Handler<CheckpointTransferFailed>(context =>
            {
                if (outcomes.TryGetValue(context.Message.TransferId, out var outcome))
                    outcome.TrySetResult($"{context.Message.NodeId}: {context.Message.Reason}");
                return Task.CompletedTask;
            });
        });
        try
        {
            // Listening before the first command: a fast transfer's outcome must not be published to nobody.
            await endpoint.Ready.WaitAsync(timeout, cancellationToken);
            foreach (var (source, target, transferId) in moves)
            {
                var agent = await bus.GetSendEndpoint(AgentAddress.For(source.NodeId));
                await agent.Send(new TransferCheckpoint(jobId, RankBundles.Sequence(sequence, source.Rank), source.NodeId, target.NodeId, transferId), cancellationToken);
            }
            var failures = new List<(int Rank, string Reason)>();
            foreach (var (source, target, transferId) in moves)
            {
                string? reason;
                try
                {
                    reason = await outcomes[transferId].Task.WaitAsync(timeout, cancellationToken);
                }
                catch (TimeoutException)
                {
                    reason = $"no outcome of the transfer from {source.NodeId} to {target.NodeId} within {timeout.TotalSeconds:0.#} s";
                }
                if (reason is not null)
                    failures.Add((source.Rank, reason));
            }
            if (failures.Count > 0)
                throw new DistributedCheckpointFailedException(
                    $"transfer failed in {string.Join("; ", failures.Select(f => $"rank {f.Rank}: {f.Reason}"))}", [.. failures.Select(f => f.Rank)]);
        }
        finally
        {
            await endpoint.StopAsync(CancellationToken.None);
        }
    }
}
