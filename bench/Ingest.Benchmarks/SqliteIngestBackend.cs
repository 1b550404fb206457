using Caas.Monitoring.EventStore;

namespace Caas.Ingest.Benchmarks;

/// <summary>The SQLite event store in files under a scratch directory, against <see cref="RawBatchedInsert"/>.</summary>
public sealed class SqliteIngestBackend(DirectoryInfo scratch) : IIngestBackend
{
    public string Name => "sqlite";

    public string Description =>
        $"SQLite event store (WAL, synchronous=NORMAL, group commit) vs one prepared INSERT in transactions of {RawBatchedInsert.RowsPerTransaction} rows";

    public Task<IEventStore> CreateStoreAsync(string run) =>
        Task.FromResult<IEventStore>(new SqliteEventStore(Path.Combine(scratch.FullName, $"store-{run}.db")));

    public Task<IngestMeasurement> RunBaselineAsync(string run, HeartbeatRows rows) =>
        Task.FromResult(RawBatchedInsert.Run(Path.Combine(scratch.FullName, $"raw-{run}.db"), rows));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
