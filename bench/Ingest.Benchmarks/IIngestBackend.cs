using Caas.Monitoring.EventStore;

namespace Caas.Ingest.Benchmarks;

/// <summary>One event store backend and its raw bulk-insert baseline, each run against fresh, empty tables.</summary>
public interface IIngestBackend : IAsyncDisposable
{
    /// <summary>Suffix of the backend's figure names, e.g. "sqlite".</summary>
    string Name { get; }

    /// <summary>One line for people: the store's settings and what the baseline does.</summary>
    string Description { get; }

    /// <summary>A new store with no events, named after <paramref name="run"/>.</summary>
    Task<IEventStore> CreateStoreAsync(string run);

    /// <summary>Writes <paramref name="rows"/> the fastest raw way into a new table shaped like the store's.</summary>
    Task<IngestMeasurement> RunBaselineAsync(string run, HeartbeatRows rows);
}
