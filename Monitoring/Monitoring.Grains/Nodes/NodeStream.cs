using System.Text.Json;
using Caas.Monitoring.EventStore;

namespace Caas.Monitoring.Grains.Nodes;

/// <summary>
/// One stream of small node facts ("node X, event type T, at") in the event store, for what the node directory must
/// keep across restarts (drains, liveness). Not a job's stream, so job projections skip it.
/// </summary>
public sealed class NodeStream(IEventStore store, string stream)
{
    private const int PageSize = 1000;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Name { get; } = stream;

    /// <summary>Every fact, oldest first, and the stream's version to append after.</summary>
    public async Task<(IReadOnlyList<NodeFact> Facts, long Version)> Read(CancellationToken cancellationToken = default)
    {
        var facts = new List<NodeFact>();
        var version = ExpectedVersion.NoStream;
        while (true)
        {
            var page = await store.ReadStreamAsync(Name, version + 1, PageSize, cancellationToken);
            foreach (var recorded in page)
            {
                var fact = JsonSerializer.Deserialize<Payload>(recorded.Data, Json)
                    ?? throw new JsonException($"Event {recorded.Version} of stream {Name} is JSON null.");
                facts.Add(new NodeFact(recorded.Type, fact.NodeId, fact.At));
                version = recorded.Version;
            }
            if (page.Count < PageSize)
                return (facts, version);
        }
    }

    /// <returns>The stream's version after the append.</returns>
    /// <exception cref="WrongExpectedVersionException">Another writer appended since <paramref name="expectedVersion"/>.</exception>
    public async Task<long> Append(long expectedVersion, string type, string nodeId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var data = new EventData(Guid.NewGuid(), type, JsonSerializer.Serialize(new Payload(nodeId, at), Json));
        var result = await store.AppendAsync(Name, expectedVersion, [data], cancellationToken);
        return result.NextExpectedVersion;
    }

    private sealed record Payload(string NodeId, DateTimeOffset At);
}

/// <summary>One recorded fact about a node: its event type, the node, and when.</summary>
public sealed record NodeFact(string Type, string NodeId, DateTimeOffset At);
