using System.Text.Json;
using Caas.Monitoring.EventStore;

namespace Caas.Monitoring.Grains.Distributed;

/// <summary>
/// Which job holds which rank addresses must outlive a restart of the platform (two live jobs with one address would
/// break each other's connections), so every lease and release is an event in one stream of the event store,
/// <see cref="Stream"/>, which <see cref="RankFabricGrain"/> folds when it activates. Not a job's stream: job projections skip it.
/// </summary>
public sealed class RankFabricJournal(IEventStore store)
{
    public const string Stream = "rank-fabric";
    public const string LeasedType = "RankAddressesLeased";
    public const string ReleasedType = "RankAddressesReleased";
    private const int PageSize = 1000;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The addresses each job holds now, and the stream's version to append after.</summary>
    public async Task<(IReadOnlyDictionary<string, IReadOnlyList<string>> Leases, long Version)> Read(CancellationToken cancellationToken = default)
    {
        var leases = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var version = ExpectedVersion.NoStream;
        while (true)
        {
            var page = await store.ReadStreamAsync(Stream, version + 1, PageSize, cancellationToken);
            foreach (var recorded in page)
            {
                var fact = JsonSerializer.Deserialize<Lease>(recorded.Data, Json)
                    ?? throw new JsonException($"Event {recorded.Version} of stream {Stream} is JSON null.");
                if (recorded.Type == LeasedType)
                    leases[fact.JobId] = fact.Addresses;
                else if (recorded.Type == ReleasedType)
                    leases.Remove(fact.JobId);
                version = recorded.Version;
            }
            if (page.Count < PageSize)
                return (leases, version);
        }
    }

    /// <param name="addresses">The job's addresses when leased; empty when released.</param>
    /// <returns>The stream's version after the append.</returns>
    /// <exception cref="WrongExpectedVersionException">Another writer appended since <paramref name="expectedVersion"/>.</exception>
    public async Task<long> Append(long expectedVersion, string jobId, IReadOnlyList<string> addresses, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var type = addresses.Count > 0 ? LeasedType : ReleasedType;
        var data = new EventData(Guid.NewGuid(), type, JsonSerializer.Serialize(new Lease(jobId, addresses, at), Json));
        var result = await store.AppendAsync(Stream, expectedVersion, [data], cancellationToken);
        return result.NextExpectedVersion;
    }

    private sealed record Lease(string JobId, IReadOnlyList<string> Addresses, DateTimeOffset At);
}
