using System.Text.Json;
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
    private const int PageSize = 1000;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The nodes drained now, and the stream's version to append after.</summary>
    public async Task<(IReadOnlySet<string> Drained, long Version)> Read(CancellationToken cancellationToken = default)
    {
        var drained = new HashSet<string>(StringComparer.Ordinal);
        var version = ExpectedVersion.NoStream;
        while (true)
        {
            var page = await store.ReadStreamAsync(Stream, version + 1, PageSize, cancellationToken);
            foreach (var recorded in page)
            {
                var change = JsonSerializer.Deserialize<NodeDrainChange>(recorded.Data, Json)
                    ?? throw new JsonException($"Event {recorded.Version} of stream {Stream} is JSON null.");
                if (recorded.Type == DrainedType)
                    drained.Add(change.NodeId);
                else if (recorded.Type == UndrainedType)
                    drained.Remove(change.NodeId);
                version = recorded.Version;
            }
            if (page.Count < PageSize)
                return (drained, version);
        }
    }

    /// <returns>The stream's version after the append.</returns>
    /// <exception cref="WrongExpectedVersionException">Another writer appended since <paramref name="expectedVersion"/>.</exception>
    public async Task<long> Append(long expectedVersion, string nodeId, bool drained, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var data = new EventData(Guid.NewGuid(), drained ? DrainedType : UndrainedType, JsonSerializer.Serialize(new NodeDrainChange(nodeId, at), Json));
        var result = await store.AppendAsync(Stream, expectedVersion, [data], cancellationToken);
        return result.NextExpectedVersion;
    }

    private sealed record NodeDrainChange(string NodeId, DateTimeOffset At);
}
