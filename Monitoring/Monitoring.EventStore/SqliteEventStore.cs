using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Caas.Monitoring.EventStore;

/// <summary>
/// <see cref="IEventStore"/> in one SQLite file (WAL). All appends go through one writer loop that
/// commits whatever appends are waiting in one transaction (group commit), each inside its own savepoint
/// so that one append's concurrency conflict does not undo the others.
/// </summary>
public sealed partial class SqliteEventStore : IEventStore, IProjectionCheckpoints, IAsyncDisposable, IDisposable
{
    private const int MaxAppendsPerCommit = 512;
    private static readonly TimeSpan SubscriptionPollInterval = TimeSpan.FromMilliseconds(500);

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly SqliteConnection _writer;
    private readonly Channel<PendingAppend> _appends = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writerLoop;
    // Both used by the writer loop alone.
    private readonly StreamVersionCache _versions = new();
    private readonly SqliteCachedAppend _cachedAppend;
    private TaskCompletionSource _appended = NewSignal();
    private int _disposed;

    public SqliteEventStore(string databasePath, TimeProvider? time = null)
    {
        if (string.IsNullOrWhiteSpace(databasePath))
            throw new ArgumentException("The event store needs a database file path.", nameof(databasePath));
        DatabasePath = Path.GetFullPath(databasePath);
        _time = time ?? TimeProvider.System;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _writer = Open();
        try
        {
            SqliteSchema.Create(_writer);
            _cachedAppend = new SqliteCachedAppend(_writer);
        }
        catch
        {
            _writer.Dispose();
            throw;
        }
        _writerLoop = Task.Factory.StartNew(WriteLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public string DatabasePath { get; }

    public Task<AppendResult> AppendAsync(string stream, long expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        EventStoreArguments.ValidateAppend(stream, expectedVersion, events);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var pending = new PendingAppend(stream, expectedVersion, events.ToArray(), cancellationToken);
        if (!_appends.Writer.TryWrite(pending))
            throw new ObjectDisposedException(nameof(SqliteEventStore));
        return pending.Completion.Task;
    }

    public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string stream, long fromVersion, int maxCount, CancellationToken cancellationToken = default)
    {
        EventStoreArguments.ValidateStream(stream);
        EventStoreArguments.ValidateCount(maxCount);
        return Query(
            "SELECT stream, version, position, event_id, type, data, recorded_at FROM events WHERE stream = $stream AND version >= $from ORDER BY version LIMIT $max;",
            command =>
            {
                command.Parameters.AddWithValue("$stream", stream);
                command.Parameters.AddWithValue("$from", Math.Max(0, fromVersion));
                command.Parameters.AddWithValue("$max", maxCount);
            }, cancellationToken);
    }

    public Task<IReadOnlyList<RecordedEvent>> ReadStreamBackwardAsync(string stream, long fromVersion, int maxCount, CancellationToken cancellationToken = default)
    {
        EventStoreArguments.ValidateStream(stream);
        EventStoreArguments.ValidateCount(maxCount);
        return Query(
            "SELECT stream, version, position, event_id, type, data, recorded_at FROM events WHERE stream = $stream AND version <= $from ORDER BY version DESC LIMIT $max;",
            command =>
            {
                command.Parameters.AddWithValue("$stream", stream);
                command.Parameters.AddWithValue("$from", fromVersion < 0 ? long.MaxValue : fromVersion);
                command.Parameters.AddWithValue("$max", maxCount);
            }, cancellationToken);
    }

    public Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(long fromPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        EventStoreArguments.ValidateCount(maxCount);
        return Query(
            "SELECT stream, version, position, event_id, type, data, recorded_at FROM events WHERE position >= $from ORDER BY position LIMIT $max;",
            command =>
            {
                command.Parameters.AddWithValue("$from", fromPosition);
                command.Parameters.AddWithValue("$max", maxCount);
            }, cancellationToken);
    }

    public async Task<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(position) FROM events;";
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long head ? head : 0;
    }

    public async Task SubscribeToAllAsync(long fromPosition, Func<RecordedEvent, CancellationToken, ValueTask> handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var next = fromPosition;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Take the signal before reading so an append that commits during the read still wakes us.
            var appended = Volatile.Read(ref _appended).Task;
            var batch = await ReadAllAsync(next, 1000, cancellationToken).ConfigureAwait(false);
            foreach (var recorded in batch)
            {
                await handler(recorded, cancellationToken).ConfigureAwait(false);
                next = recorded.Position + 1;
            }
            if (batch.Count == 0)
            {
                // The signal is only a hint; the poll interval is what guarantees progress.
                await Task.WhenAny(appended, Task.Delay(SubscriptionPollInterval, cancellationToken)).ConfigureAwait(false);
            }
        }
    }

    public async Task SaveSnapshotAsync(StreamSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        EventStoreArguments.ValidateSnapshot(snapshot);
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO snapshots (stream, version, type, data) VALUES ($stream, $version, $type, $data)
            ON CONFLICT (stream) DO UPDATE SET version = excluded.version, type = excluded.type, data = excluded.data
            WHERE excluded.version >= snapshots.version;
            """;
        command.Parameters.AddWithValue("$stream", snapshot.Stream);
        command.Parameters.AddWithValue("$version", snapshot.Version);
        command.Parameters.AddWithValue("$type", snapshot.Type);
        command.Parameters.AddWithValue("$data", snapshot.Data);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<StreamSnapshot?> ReadSnapshotAsync(string stream, CancellationToken cancellationToken = default)
    {
        EventStoreArguments.ValidateStream(stream);
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, type, data FROM snapshots WHERE stream = $stream;";
        command.Parameters.AddWithValue("$stream", stream);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;
        return new StreamSnapshot(stream, reader.GetInt64(0), reader.GetString(1), reader.GetString(2));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _appends.Writer.TryComplete();
        await _writerLoop.ConfigureAwait(false);
        _cachedAppend.Dispose();
        _writer.Dispose();
        SqliteConnection.ClearPool(_writer);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingAppend>(MaxAppendsPerCommit);
        while (await _appends.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxAppendsPerCommit && _appends.Reader.TryRead(out var pending))
                batch.Add(pending);
            CommitBatch(batch);
            batch.Clear();
        }
    }

    private void CommitBatch(List<PendingAppend> batch)
    {
        var outcomes = new (AppendResult Result, Exception? Error)[batch.Count];
        try
        {
            using var transaction = _writer.BeginTransaction();
            var at = _time.GetUtcNow().ToUnixTimeMilliseconds();
            for (var i = 0; i < batch.Count; i++)
            {
                var pending = batch[i];
                if (pending.CancellationToken.IsCancellationRequested)
                {
                    outcomes[i] = (default, new OperationCanceledException(pending.CancellationToken));
                    continue;
                }
                // One event is one statement, atomic without a savepoint; longer appends take the exact path.
                if (pending.Events.Length == 1
                    && _cachedAppend.TryAppend(transaction, _versions, pending.Stream, pending.ExpectedVersion, pending.Events[0], at, out var appended))
                {
                    outcomes[i] = (appended, null);
                    continue;
                }
                transaction.Save("append");
                try
                {
                    outcomes[i] = (AppendOne(transaction, pending), null);
                    transaction.Release("append");
                }
                catch (Exception error) when (error is WrongExpectedVersionException or ArgumentException or SqliteException)
                {
                    transaction.Rollback("append");
                    transaction.Release("append");
                    if (error is not WrongExpectedVersionException)
                        _versions.Forget(pending.Stream);
                    outcomes[i] = (default, error);
                }
            }
            transaction.Commit();
        }
        catch (Exception error)
        {
            // The versions remembered for this group's streams were never committed.
            _versions.Clear();
            foreach (var pending in batch)
                pending.Completion.TrySetException(error);
            return;
        }
        Interlocked.Exchange(ref _appended, NewSignal()).TrySetResult();
        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i].Error is { } error)
                batch[i].Completion.TrySetException(error);
            else
                batch[i].Completion.TrySetResult(outcomes[i].Result);
        }
    }

    private AppendResult AppendOne(SqliteTransaction transaction, PendingAppend pending)
    {
        var current = CurrentVersion(transaction, pending.Stream);
        var events = pending.Events;
        var stored = StoredWithSameIds(transaction, pending.Stream, events);
        if (IsRepeatOf(stored, events, pending.ExpectedVersion))
        {
            _versions.Set(pending.Stream, current);
            return new AppendResult(stored[^1].Version, stored[^1].Position);
        }
        if (pending.ExpectedVersion != ExpectedVersion.Any && pending.ExpectedVersion != current)
        {
            _versions.Set(pending.Stream, current);
            throw new WrongExpectedVersionException(pending.Stream, pending.ExpectedVersion, current);
        }
        if (stored.Count > 0)
            throw EventStoreArguments.RepeatsPartOfAnEarlierAppend(pending.Stream, stored[0].Version);

        using var insert = _writer.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO events (stream, version, event_id, type, data, recorded_at)
            VALUES ($stream, $version, $id, $type, $data, $at) RETURNING position;
            """;
        var version = insert.Parameters.Add("$version", SqliteType.Integer);
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var type = insert.Parameters.Add("$type", SqliteType.Text);
        var data = insert.Parameters.Add("$data", SqliteType.Text);
        insert.Parameters.AddWithValue("$stream", pending.Stream);
        insert.Parameters.AddWithValue("$at", _time.GetUtcNow().ToUnixTimeMilliseconds());
        long position = 0;
        foreach (var e in events)
        {
            version.Value = ++current;
            id.Value = e.EventId.ToString("D");
            type.Value = e.Type;
            data.Value = e.Data;
            position = (long)insert.ExecuteScalar()!;
        }
        _versions.Set(pending.Stream, current);
        return new AppendResult(current, position);
    }

    private long CurrentVersion(SqliteTransaction transaction, string stream)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT MAX(version) FROM events WHERE stream = $stream;";
        command.Parameters.AddWithValue("$stream", stream);
        return command.ExecuteScalar() is long version ? version : ExpectedVersion.NoStream;
    }

    /// <summary>The events of <paramref name="stream"/> whose ids the append carries, oldest first.</summary>
    private List<(long Version, long Position, string EventId)> StoredWithSameIds(SqliteTransaction transaction, string stream, EventData[] events)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT version, position, event_id FROM events
            WHERE stream = $stream AND event_id IN (SELECT value FROM json_each($ids)) ORDER BY version;
            """;
        command.Parameters.AddWithValue("$stream", stream);
        command.Parameters.AddWithValue("$ids", System.Text.Json.JsonSerializer.Serialize(events.Select(e => e.EventId.ToString("D"))));
        using var reader = command.ExecuteReader();
        var stored = new List<(long, long, string)>();
        while (reader.Read())
            stored.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2)));
        return stored;
    }

    /// <summary>A retry: every event is stored already, in the same order, one after another, where the append expected to put them.</summary>
    private static bool IsRepeatOf(List<(long Version, long Position, string EventId)> stored, EventData[] events, long expectedVersion)
    {
        if (stored.Count != events.Length)
            return false;
        if (expectedVersion != ExpectedVersion.Any && stored[0].Version != expectedVersion + 1)
            return false;
        for (var i = 0; i < events.Length; i++)
        {
            if (stored[i].EventId != events[i].EventId.ToString("D") || stored[i].Version != stored[0].Version + i)
                return false;
        }
        return true;
    }

    private async Task<IReadOnlyList<RecordedEvent>> Query(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<RecordedEvent>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new RecordedEvent(
                reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), Guid.Parse(reader.GetString(3)),
                reader.GetString(4), reader.GetString(5), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
        }
        return events;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        // NORMAL in WAL mode: a commit survives a process crash; only an OS crash can lose the newest commits.
        pragmas.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;";
        pragmas.ExecuteNonQuery();
        return connection;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed record PendingAppend(string Stream, long ExpectedVersion, EventData[] Events, CancellationToken CancellationToken)
    {
        public TaskCompletionSource<AppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
