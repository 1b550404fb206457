using System.Collections.Concurrent;
using Caas.Monitoring.EventStore;
using Npgsql;

namespace Caas.Monitoring.Tests;

/// <summary>
/// Positions come from a sequence, so a slow transaction can hold a lower position while a faster one commits a
/// higher one. Readers of $all must neither deliver the higher one first nor skip the lower one.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PostgresLateCommitTests : IAsyncLifetime
{
    private PostgresTestSchema _schema = null!;
    private PostgresEventStore _store = null!;

    public async Task InitializeAsync()
    {
        _schema = await PostgresTestSchema.CreateAsync();
        _store = new PostgresEventStore(_schema.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _schema.DisposeAsync();
    }

    [Fact]
    public async Task A_subscription_waits_for_a_slower_transaction_holding_a_lower_position_and_then_delivers_both_in_order()
    {
        await _store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("A0")]);
        var seen = new ConcurrentQueue<RecordedEvent>();
        using var stop = new CancellationTokenSource();
        var subscription = _store.SubscribeToAllAsync(0, (e, _) => { seen.Enqueue(e); return ValueTask.CompletedTask; }, stop.Token);
        await Eventually(() => seen.Count == 1);

        await using var slow = await BeginSlowAppendAsync("job-slow", "Slow");
        var fast = await _store.AppendAsync("job-fast", ExpectedVersion.NoStream, [Event("Fast")]);
        var readPastTheGap = _store.ReadAllAsync(2, 100);
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Equal(3, fast.Position);
        Assert.Equal(["A0"], seen.Select(e => e.Type));
        Assert.False(readPastTheGap.IsCompleted, "a read of $all returned past a position a running transaction still holds");

        await slow.CommitAsync();
        await Eventually(() => seen.Count == 3);

        Assert.Equal(["A0", "Slow", "Fast"], seen.Select(e => e.Type));
        Assert.Equal([1L, 2L, 3L], seen.Select(e => e.Position));
        Assert.Equal(["Slow", "Fast"], (await readPastTheGap).Select(e => e.Type));
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => subscription);
    }

    [Fact]
    public async Task A_position_left_empty_by_a_rolled_back_transaction_does_not_stop_the_subscription()
    {
        await _store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("A0")]);
        var seen = new ConcurrentQueue<RecordedEvent>();
        using var stop = new CancellationTokenSource();
        var subscription = _store.SubscribeToAllAsync(0, (e, _) => { seen.Enqueue(e); return ValueTask.CompletedTask; }, stop.Token);
        await Eventually(() => seen.Count == 1);

        await using var slow = await BeginSlowAppendAsync("job-slow", "Slow");
        await _store.AppendAsync("job-fast", ExpectedVersion.NoStream, [Event("Fast")]);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(["A0"], seen.Select(e => e.Type));

        await slow.RollbackAsync();
        await Eventually(() => seen.Count == 2);

        Assert.Equal([1L, 3L], seen.Select(e => e.Position));
        Assert.Equal(["A0", "Fast"], seen.Select(e => e.Type));
        Assert.Equal(["A0", "Fast"], (await _store.ReadAllAsync(0, 100)).Select(e => e.Type));
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => subscription);
    }

    [Fact]
    public async Task A_slower_transaction_that_began_after_the_one_that_committed_is_still_waited_for()
    {
        // The committed transaction got its id first, so the slower one's id is above every completed one: a
        // snapshot taken now does not list it as in progress, yet it holds position 2.
        await using var first = await BeginAsync();
        Assert.Equal(1, await first.AppendAsync("job-1", "First"));
        await using var slow = await BeginAsync();
        Assert.Equal(2, await slow.AppendAsync("job-slow", "Slow"));
        Assert.Equal(3, await first.AppendAsync("job-2", "Second"));
        await first.CommitAsync();

        var read = _store.ReadAllAsync(0, 100);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(read.IsCompleted, "a read of $all returned past a position a running transaction still holds");

        await slow.CommitAsync();
        Assert.Equal(["First", "Slow", "Second"], (await read).Select(e => e.Type));
    }

    [Fact]
    public async Task A_long_transaction_that_writes_no_events_does_not_hold_up_a_read_past_a_gap()
    {
        await using var unrelated = await BeginAsync();
        await unrelated.ExecuteAsync("CREATE TABLE unrelated (n integer); INSERT INTO unrelated VALUES (1);");
        await using (var rolledBack = await BeginAsync())
        {
            Assert.Equal(1, await rolledBack.AppendAsync("job-gone", "Gone"));
            await _store.AppendAsync("job-a", ExpectedVersion.NoStream, [Event("A0")]);
            await rolledBack.RollbackAsync();
        }

        var read = _store.ReadAllAsync(0, 100);
        var finished = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(5)));

        Assert.Same(read, finished);
        Assert.Equal([2L], (await read).Select(e => e.Position));
    }

    [Fact]
    public async Task Two_stores_writing_at_once_are_seen_by_a_third_store_s_subscription_exactly_once_and_in_position_order()
    {
        const int writersPerStore = 16, appendsEach = 50;
        await using var silo1 = new PostgresEventStore(_schema.ConnectionString);
        await using var silo2 = new PostgresEventStore(_schema.ConnectionString);
        var seen = new ConcurrentQueue<RecordedEvent>();
        using var stop = new CancellationTokenSource();
        var subscription = _store.SubscribeToAllAsync(0, (e, _) => { seen.Enqueue(e); return ValueTask.CompletedTask; }, stop.Token);

        await Task.WhenAll(new[] { silo1, silo2 }.SelectMany((store, s) => Enumerable.Range(0, writersPerStore).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < appendsEach; i++)
                await store.AppendAsync($"job-{s}-{w}", i - 1, [Event($"E{i}")]);
        }))));
        const int total = 2 * writersPerStore * appendsEach;
        var all = await _store.ReadAllAsync(0, 10_000);
        // A skipped event never arrives, so wait for the count only as long as it might still be coming.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (seen.Count < total && !subscription.IsCompleted && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.False(subscription.IsCompleted, $"the subscription ended: {subscription.Exception}");
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => subscription);

        Assert.Equal(total, all.Count);
        Assert.Equal(all.Select(e => e.Position), seen.Select(e => e.Position));
        Assert.Equal(total, seen.Select(e => e.EventId).Distinct().Count());
    }

    private static EventData Event(string type) => new(Guid.NewGuid(), type, "{}");

    /// <summary>A writer that has drawn its position through the store's own append function but has not committed yet.</summary>
    private async Task<OpenTransaction> BeginSlowAppendAsync(string stream, string type)
    {
        var slow = await BeginAsync();
        Assert.Equal(2, await slow.AppendAsync(stream, type));
        return slow;
    }

    /// <summary>Another writer's transaction, appending through the store's own append function.</summary>
    private async Task<OpenTransaction> BeginAsync()
    {
        var connection = await _schema.OpenAsync();
        return new OpenTransaction(connection, await connection.BeginTransactionAsync());
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The condition did not hold within 20 s.");
            await Task.Delay(20);
        }
    }

    private sealed class OpenTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        /// <returns>The position the event was given.</returns>
        public async Task<long> AppendAsync(string stream, string type)
        {
            await using var command = new NpgsqlCommand(
                "SELECT outcome, last_position FROM append_events($1, -1, ARRAY[$2::uuid], ARRAY[$3], ARRAY['{}'], now());", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.NewGuid() });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = type });
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(0, reader.GetInt32(0));
            return reader.GetInt64(1);
        }

        public Task CommitAsync() => transaction.CommitAsync();

        public Task RollbackAsync() => transaction.RollbackAsync();

        public async Task ExecuteAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            await command.ExecuteNonQueryAsync();
        }

        /// <summary>Rolls back unless committed.</summary>
        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
