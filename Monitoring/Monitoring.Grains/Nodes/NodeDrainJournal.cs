using Caas.Monitoring.EventStore;

namespace Caas.Monitoring.Grains.Nodes;

/// <summary>
/// Drains are operator decisions that must outlive a restart of the platform, while everything else the node
/// directory knows comes back with the agents' next heartbeats. So each drain and undrain is an event in one stream
/// of the event store, <see cref="Stream"/>, which also keeps who-did-what-when for later audits; the directory
/// folds it into the set of drained nodes when it activates. The stream is not a job's, so job projections skip it.
/// </summary>
public sealed class NodeDrainJournal(IEventStore store)
{
    public const string Stream = "nodes-drains";
    public const string DrainedType = "NodeDrained";
    public const string UndrainedType = "NodeUndrained";

    private readonly NodeStream _stream = new(store, Stream);

    /// <summary>The nodes drained now, and the stream's version to append after.</summary>
    public async Task<(IReadOnlySet<string> Drained, long Version)> Read(CancellationToken cancellationToken = default)
    {
        var (facts, version) = await _stream.Read(cancellationToken);
        var drained = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fact in facts)
        {
            if (fact.Type == DrainedType)
                drained.Add(fact.NodeId);
            else if (fact.Type == UndrainedType)
                drained.Remove(fact.NodeId);
        }
        return (drained, version);
    }

    /// <returns>The stream's version after the append.</returns>
    /// <exception cref="WrongExpectedVersionException">Another writer appended since <paramref name="expectedVersion"/>.</exception>
    public Task<long> Append(long expectedVersion, string nodeId, bool drained, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        _stream.Append(expectedVersion, drained ? DrainedType : UndrainedType, nodeId, at, cancellationToken);
}
