using System.Threading.Channels;
using Npgsql;

namespace Caas.Monitoring.EventStore;

/// <summary>
/// <see cref="IEventStore"/> on PostgreSQL, for several processes sharing one database. Appends go through one
/// writer loop per store that commits whatever appends are waiting as one group (<see cref="PostgresGroupCommit"/>):
/// set-based statements, a few round trips and one commit per group. Global positions come from a sequence, so a
/// transaction can commit a higher position while a slower one still holds a lower one; $all reads therefore never
/// return past a gap until every transaction that could still fill it has ended (see <see cref="ReadAllAsync"/>).
/// </summary>
public sealed partial class PostgresEventStore : IEventStore, IProjectionCheckpoints, IAsyncDisposable, IDisposable
{
    private const int MaxAppendsPerCommit = 512;
    private const string Columns = "stream, version, position, event_id, type, data, recorded_at";
    // Several node heartbeats' worth of events: a caught-up subscription reads them back within milliseconds.
    private const int CommittedEventsKept = 16_384;
    // Notifications wake subscriptions at once; polling is what guarantees they go on when a notification is lost.
    /// <summary>
    /// How long a caught-up subscription waits for an append notification before it reads anyway: the notification is
    /// what makes it hear of appends at once; the poll only bounds the wait when one was lost (a dropped connection).
    /// </summary>
    internal TimeSpan SubscriptionPollInterval { get; init; } = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FirstInFlightPoll = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan LongestInFlightPoll = TimeSpan.FromMilliseconds(100);
    private const int MaxCommitAttempts = 3;
    private static readonly TimeSpan CommitRetryDelay = TimeSpan.FromMilliseconds(50);

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly Channel<PendingAppend> _appends = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writerLoop;
    // Every position up to here is final: committed, or left empty by a transaction that has ended.
    private long _settledThrough;
    private readonly StreamVersionCache _versions = new();
    private readonly CommittedEventCache _committed = new(CommittedEventsKept);
    private int _disposed;

    /// <param name="connectionString">An Npgsql connection string; the tables live in the first schema of its search path.</param>
    public PostgresEventStore(string connectionString, TimeProvider? time = null)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ArgumentException("The PostgreSQL event store needs a connection string.", nameof(connectionString));
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
            builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
        _dataSource = builder.Build();
        _time = time ?? TimeProvider.System;
        try
        {
            PostgresSchema.MigrateAsync(_dataSource, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch
        {
            _dataSource.Dispose();
            throw;
        }
        _writerLoop = Task.Run(WriteLoopAsync);
    }

    public Task<AppendResult> AppendAsync(string stream, long expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        EventStoreArguments.ValidateAppend(stream, expectedVersion, events);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var pending = new PendingAppend(stream, expectedVersion, events.ToArray(), cancellationToken);
        if (!_appends.Writer.TryWrite(pending))
            throw new ObjectDisposedException(nameof(PostgresEventStore));
        return pending.Completion.Task;
    }

    public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string stream, long fromVersion, int maxCount, CancellationToken cancellationToken = default)
    {
        EventStoreArguments.ValidateStream(stream);
        EventStoreArguments.ValidateCount(maxCount);
        return QueryAsync(
            $"SELECT {Columns} FROM events WHERE stream = $1 AND version >= $2 ORDER BY version LIMIT $3;",
            command =>
            {
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Math.Max(0, fromVersion) });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxCount });
            }, cancellationToken);
    }

    public Task<IReadOnlyList<RecordedEvent>> ReadStreamBackwardAsync(string stream, long fromVersion, int maxCount, CancellationToken cancellationToken = default)
    {
        EventStoreArguments.ValidateStream(stream);
        EventStoreArguments.ValidateCount(maxCount);
        return QueryAsync(
            $"SELECT {Columns} FROM events WHERE stream = $1 AND version <= $2 ORDER BY version DESC LIMIT $3;",
            command =>
            {
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fromVersion < 0 ? long.MaxValue : fromVersion });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxCount });
            }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A missing position below a committed one is either held by a transaction still in flight or was given up by a
    /// rollback. Such a read waits until every transaction that could still commit into the gap has ended and reads
    /// again, so a reader that moves on from the last position it saw never skips an event committed late.
    /// </remarks>
    public Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(long fromPosition, int maxCount, CancellationToken cancellationToken = default) =>
        ReadAllWithAsync(fromPosition, maxCount, passOver: null, cancellationToken);

    /// <param name="passOver">Types whose data is not read (it comes back empty); their rows still come, so gaps are still seen.</param>
    /// <remarks>
    /// The rows' places come from the database, which alone decides order and gaps; their data from the events this
    /// store committed itself when it still has them (<see cref="CommittedEventCache"/>), so that in one silo the
    /// subscriptions never read back what was just written. The rest is read by position in a second query.
    /// </remarks>
    private async Task<IReadOnlyList<RecordedEvent>> ReadAllWithAsync(long fromPosition, int maxCount, string[]? passOver, CancellationToken cancellationToken)
    {
        EventStoreArguments.ValidateCount(maxCount);
        var from = Math.Max(1, fromPosition);
        while (true)
        {
            var places = await ReadPlacesAsync(from, maxCount, cancellationToken).ConfigureAwait(false);
            if (!HasUnsettledGap(from, places))
                return await WithDataAsync(places, passOver, cancellationToken).ConfigureAwait(false);
            await WaitForWritersInFlightAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<List<RecordedEvent>> ReadPlacesAsync(long from, int maxCount, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT stream, version, position, event_id, type, recorded_at FROM events WHERE position >= $1 ORDER BY position LIMIT $2;");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = from });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxCount });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var places = new List<RecordedEvent>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            places.Add(new RecordedEvent(
                reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetGuid(3),
                reader.GetString(4), "", reader.GetFieldValue<DateTimeOffset>(5)));
        }
        return places;
    }

    /// <summary>Fills in each row's data (and the written event, when this store has it), except for passed-over types.</summary>
    private async Task<IReadOnlyList<RecordedEvent>> WithDataAsync(List<RecordedEvent> places, string[]? passOver, CancellationToken cancellationToken)
    {
        List<int>? unknown = null;
        for (var i = 0; i < places.Count; i++)
        {
            var place = places[i];
            if (passOver is not null && Array.IndexOf(passOver, place.Type) >= 0)
                continue;
            if (_committed.TryGet(place.Position, out var written) && written.EventId == place.EventId)
                places[i] = place with { Data = written.Data, Original = written.Original };
            else
                (unknown ??= []).Add(i);
        }
        if (unknown is null)
            return places;
        await using var command = _dataSource.CreateCommand("SELECT position, data FROM events WHERE position = ANY ($1);");
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = unknown.Select(i => places[i].Position).ToArray() });
        var data = new Dictionary<long, string>(unknown.Count);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                data[reader.GetInt64(0)] = reader.GetString(1);
        }
        // Committed rows are never changed nor removed, so every one seen is still there.
        foreach (var i in unknown)
            places[i] = places[i] with { Data = data[places[i].Position] };
        return places;
    }

    public async Task<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT coalesce(max(position), 0) FROM events;");
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public Task SubscribeToAllAsync(long fromPosition, Func<RecordedEvent, CancellationToken, ValueTask> handler, CancellationToken cancellationToken) =>
        SubscribeWithAsync(fromPosition, passOver: null, handler, cancellationToken);

    /// <summary>Passed-over events' data stays in the database: with heartbeats most of what a subscriber would read.</summary>
    public Task SubscribeToAllAsync(long fromPosition, IReadOnlySet<string> passOver, Func<RecordedEvent, CancellationToken, ValueTask> handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(passOver);
        return SubscribeWithAsync(fromPosition, passOver.Count == 0 ? null : passOver.ToArray(), handler, cancellationToken);
    }

    private async Task SubscribeWithAsync(long fromPosition, string[]? passOver, Func<RecordedEvent, CancellationToken, ValueTask> handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var next = fromPosition;
        await using var appends = new PostgresAppendListener(_dataSource);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await appends.ListenAsync(cancellationToken).ConfigureAwait(false);
            var batch = await ReadAllWithAsync(next, 1000, passOver, cancellationToken).ConfigureAwait(false);
            foreach (var recorded in batch)
            {
                await handler(recorded, cancellationToken).ConfigureAwait(false);
                next = recorded.Position + 1;
            }
            if (batch.Count == 0)
                await appends.WaitAsync(SubscriptionPollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task SaveSnapshotAsync(StreamSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        EventStoreArguments.ValidateSnapshot(snapshot);
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO snapshots (stream, version, type, data) VALUES ($1, $2, $3, $4)
            ON CONFLICT (stream) DO UPDATE SET version = excluded.version, type = excluded.type, data = excluded.data
            WHERE excluded.version >= snapshots.version;
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = snapshot.Stream });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = snapshot.Version });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = snapshot.Type });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = snapshot.Data });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<StreamSnapshot?> ReadSnapshotAsync(string stream, CancellationToken cancellationToken = default)
    {
        EventStoreArguments.ValidateStream(stream);
        await using var command = _dataSource.CreateCommand("SELECT version, type, data FROM snapshots WHERE stream = $1;");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
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
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private bool HasUnsettledGap(long from, IReadOnlyList<RecordedEvent> events)
    {
        var settled = Volatile.Read(ref _settledThrough);
        var expected = from;
        foreach (var recorded in events)
        {
            // Missing: expected .. Position - 1. Only the part above the settled mark can still fill in.
            if (recorded.Position != expected && recorded.Position - 1 > settled)
                return true;
            expected = recorded.Position + 1;
        }
        return false;
    }

    /// <summary>
    /// Waits until every transaction that was writing to events when the newest committed position was seen has
    /// ended; every position up to that newest one is then final. Whoever holds a lower position drew it earlier
    /// (the sequence hands positions out in call order) inside an INSERT, so it already held its lock on events
    /// when that newest position was committed, and holds it until it ends.
    /// </summary>
    private async Task WaitForWritersInFlightAsync(CancellationToken cancellationToken)
    {
        long head;
        string[] writers;
        // One statement: pg_locks is read after the snapshot (for max) was taken. Readers' AccessShareLock is not writing.
        await using (var command = _dataSource.CreateCommand("""
            SELECT coalesce((SELECT max(position) FROM events), 0),
                   coalesce((SELECT array_agg(DISTINCT l.virtualtransaction) FROM pg_locks l
                             WHERE l.locktype = 'relation'
                               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                               AND l.relation = 'events'::regclass
                               AND l.mode <> 'AccessShareLock'), '{}');
            """))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            head = reader.GetInt64(0);
            writers = reader.GetFieldValue<string[]>(1);
        }
        var poll = FirstInFlightPoll;
        while (writers.Length > 0)
        {
            // Every transaction holds the lock on its own virtual transaction id until it ends.
            await using var command = _dataSource.CreateCommand(
                "SELECT NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'virtualxid' AND virtualxid = ANY ($1));");
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = writers });
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                break;
            await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
            poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, LongestInFlightPoll.Ticks));
        }
        long settled;
        do
        {
            settled = Volatile.Read(ref _settledThrough);
            if (settled >= head)
                return;
        }
        while (Interlocked.CompareExchange(ref _settledThrough, head, settled) != settled);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingAppend>(MaxAppendsPerCommit);
        while (await _appends.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxAppendsPerCommit && _appends.Reader.TryRead(out var pending))
            {
                if (pending.CancellationToken.IsCancellationRequested)
                    pending.Completion.TrySetCanceled(pending.CancellationToken);
                else
                    batch.Add(pending);
            }
            if (batch.Count > 0)
                await CommitBatchAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async Task CommitBatchAsync(List<PendingAppend> batch)
    {
        var requests = batch.Select(p => new PostgresGroupCommit.Request(p.Stream, p.ExpectedVersion, p.Events)).ToArray();
        PostgresGroupCommit.Outcome[] outcomes;
        try
        {
            outcomes = await CommitWithRetriesAsync(requests).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            foreach (var pending in batch)
                pending.Completion.TrySetException(error);
            return;
        }
        for (var i = 0; i < batch.Count; i++)
        {
            var pending = batch[i];
            var outcome = outcomes[i];
            switch (outcome.Kind)
            {
                case PostgresGroupCommit.Appended or PostgresGroupCommit.Repeated:
                    pending.Completion.TrySetResult(new AppendResult(outcome.Version, outcome.Position));
                    break;
                case PostgresGroupCommit.WrongVersion:
                    pending.Completion.TrySetException(new WrongExpectedVersionException(pending.Stream, pending.ExpectedVersion, outcome.Version));
                    break;
                default:
                    pending.Completion.TrySetException(EventStoreArguments.RepeatsPartOfAnEarlierAppend(pending.Stream, outcome.Version));
                    break;
            }
        }
    }

    private async Task<PostgresGroupCommit.Outcome[]> CommitWithRetriesAsync(PostgresGroupCommit.Request[] requests)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await CommitAsync(requests).ConfigureAwait(false);
            }
            catch (NpgsqlException error) when (error.IsTransient && attempt < MaxCommitAttempts)
            {
                // Safe even when the failure hid a commit (a lost reply): the retry finds the event ids stored and
                // answers with their versions and positions instead of appending them again.
                await Task.Delay(CommitRetryDelay * attempt).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Appends that agree with the cached versions of their streams go through the one-round-trip path first; the
    /// rest, and all of them when the cache proves wrong, through the exact path. A stream's appends never change
    /// order: once one of them cannot take the cached path, the ones after it in the group take the exact path too.
    /// </summary>
    private async Task<PostgresGroupCommit.Outcome[]> CommitAsync(PostgresGroupCommit.Request[] requests)
    {
        var at = _time.GetUtcNow();
        var cached = new List<int>(requests.Length);
        var exact = new List<int>();
        var streams = new Dictionary<string, (long From, long To)>(StringComparer.Ordinal);
        var exactStreams = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < requests.Length; i++)
        {
            var (stream, expected, events) = requests[i];
            long current = 0;
            var planned = streams.TryGetValue(stream, out var plan);
            if (planned)
                current = plan.To;
            if (exactStreams.Contains(stream) || (!planned && !_versions.TryGet(stream, out current)))
            {
                exactStreams.Add(stream);
                exact.Add(i);
                continue;
            }
            if (expected == ExpectedVersion.Any || expected == current)
            {
                streams[stream] = (planned ? plan.From : current, current + events.Length);
                cached.Add(i);
            }
            else
            {
                exactStreams.Add(stream);
                exact.Add(i);
            }
        }

        var outcomes = new PostgresGroupCommit.Outcome[requests.Length];
        if (cached.Count > 0)
        {
            var committed = await PostgresCachedGroupCommit.TryExecuteAsync(
                _dataSource, cached.Select(i => requests[i]).ToArray(), streams, at, _committed).ConfigureAwait(false);
            if (committed is null)
            {
                foreach (var stream in streams.Keys)
                    _versions.Forget(stream);
                exact = Enumerable.Range(0, requests.Length).ToList();
            }
            else
            {
                for (var k = 0; k < cached.Count; k++)
                    outcomes[cached[k]] = committed[k];
                foreach (var (stream, range) in streams)
                    _versions.Set(stream, range.To);
            }
        }
        if (exact.Count > 0)
        {
            var decided = await PostgresGroupCommit.ExecuteAsync(_dataSource, exact.Select(i => requests[i]).ToArray(), at).ConfigureAwait(false);
            for (var k = 0; k < exact.Count; k++)
            {
                var i = exact[k];
                outcomes[i] = decided[k];
                // Appended and WrongVersion both report where the stream now is; a repeat reports where its events are.
                if (decided[k].Kind is PostgresGroupCommit.Appended or PostgresGroupCommit.WrongVersion)
                    _versions.Set(requests[i].Stream, decided[k].Version);
                else
                    _versions.Forget(requests[i].Stream);
            }
        }
        return outcomes;
    }

    private async Task<IReadOnlyList<RecordedEvent>> QueryAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(sql);
        bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<RecordedEvent>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new RecordedEvent(
                reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetGuid(3),
                reader.GetString(4), reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6)));
        }
        return events;
    }

    private sealed record PendingAppend(string Stream, long ExpectedVersion, EventData[] Events, CancellationToken CancellationToken)
    {
        public TaskCompletionSource<AppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
