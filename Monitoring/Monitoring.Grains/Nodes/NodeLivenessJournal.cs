using Caas.Contracts.Jobs;
using Caas.Monitoring.EventStore;

namespace Caas.Monitoring.Grains.Nodes;

/// <summary>
/// The node directory's liveness decisions, kept across restarts in stream <see cref="Stream"/>: which nodes were ever
/// heard of, and each lost/back transition it announced. Without it a restarted directory would forget a node that
/// was lost (its jobs then never recovered) and never notice a node that died while the directory was down.
/// </summary>
public sealed class NodeLivenessJournal(IEventStore store)
{
    public const string Stream = "nodes-liveness";
    public const string RegisteredType = "NodeRegistered";
    public const string LostType = "NodeLost";
    public const string BackType = "NodeBack";

    private readonly NodeStream _stream = new(store, Stream);

    /// <summary>Each node ever heard of with its last recorded health (Live or Lost) and since when, and the version to append after.</summary>
    public async Task<(IReadOnlyDictionary<string, (NodeHealth Health, DateTimeOffset Since)> Nodes, long Version)> Read(CancellationToken cancellationToken = default)
    {
        var (nodes, _, version) = await ReadWithHistory(cancellationToken);
        return (nodes, version);
    }

    /// <summary>
    /// As <see cref="Read"/>, and per node when it was first heard of and how many times it was lost: what a pool's
    /// mean time between failures is measured from, so adaptive checkpoint intervals keep it across restarts.
    /// </summary>
    public async Task<(IReadOnlyDictionary<string, (NodeHealth Health, DateTimeOffset Since)> Nodes, IReadOnlyDictionary<string, NodeHistory> History, long Version)> ReadWithHistory(
        CancellationToken cancellationToken = default)
    {
        var (facts, version) = await _stream.Read(cancellationToken);
        var nodes = new Dictionary<string, (NodeHealth, DateTimeOffset)>(StringComparer.Ordinal);
        var history = new Dictionary<string, NodeHistory>(StringComparer.Ordinal);
        foreach (var fact in facts)
        {
            var seen = history.TryGetValue(fact.NodeId, out var earlier) ? earlier : new NodeHistory(fact.At, 0);
            history[fact.NodeId] = fact.Type == LostType ? seen with { Losses = seen.Losses + 1 } : seen;
            nodes[fact.NodeId] = fact.Type switch
            {
                LostType => (NodeHealth.Lost, fact.At),
                BackType => (NodeHealth.Live, fact.At),
                _ => nodes.TryGetValue(fact.NodeId, out var known) ? known : (NodeHealth.Live, fact.At),
            };
        }
        return (nodes, history, version);
    }

    /// <returns>The stream's version after the append.</returns>
    /// <exception cref="WrongExpectedVersionException">Another writer appended since <paramref name="expectedVersion"/>.</exception>
    public Task<long> Append(long expectedVersion, string type, string nodeId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        _stream.Append(expectedVersion, type, nodeId, at, cancellationToken);
}

/// <summary>A node as the liveness journal remembers it: when it was first heard of, and how many times it was lost since.</summary>
public sealed record NodeHistory(DateTimeOffset FirstHeardAt, int Losses);
