using Caas.Contracts.Audit;
using Caas.Contracts.Services;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains.Audit;

namespace Caas.Monitoring.Tests;

/// <summary>
/// The audit trail on a real event store: records land in the <c>audit</c> stream, survive closing and reopening the
/// store (a restart), and read back newest first, paged and filtered by user and action.
/// </summary>
public abstract class AuditTrailStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<IEventStore> OpenAsync();

    protected abstract Task CloseAsync(IEventStore store);

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private static AuditRecord Record(int minute, string user, string action, AuditOutcome outcome = AuditOutcome.Succeeded) => new()
    {
        At = T0.AddMinutes(minute), User = user, Action = action, Target = $"target {minute}", Outcome = outcome,
        Reason = outcome == AuditOutcome.Refused ? "needs the role admin" : null,
    };

    [Fact]
    public async Task Records_survive_a_restart_and_read_back_newest_first()
    {
        var store = await OpenAsync();
        var trail = new EventStoreAuditTrail(store);
        await trail.RecordAsync(Record(0, "ada", AuditActions.Login));
        await trail.RecordAsync(Record(1, "ada", AuditActions.JobSubmitted));
        await trail.RecordAsync(Record(2, "bob", AuditActions.AccessDenied, AuditOutcome.Refused));
        await CloseAsync(store);

        var reopened = await OpenAsync();
        var page = await new EventStoreAuditTrail(reopened).ListAsync(new AuditFilter(), 0, 10);
        await CloseAsync(reopened);

        Assert.Equal(3, page.Total);
        Assert.Equal(
            [("bob", AuditActions.AccessDenied, AuditOutcome.Refused, "needs the role admin"), ("ada", AuditActions.JobSubmitted, AuditOutcome.Succeeded, null), ("ada", AuditActions.Login, AuditOutcome.Succeeded, (string?)null)],
            page.Items.Select(r => (r.User, r.Action, r.Outcome, r.Reason)));
        Assert.Equal([T0.AddMinutes(2), T0.AddMinutes(1), T0], page.Items.Select(r => r.At));
        Assert.All(page.Items, r => Assert.NotEqual(Guid.Empty, r.Id));
    }

    [Fact]
    public async Task Pages_and_filters_by_user_and_action_name_or_prefix()
    {
        var store = await OpenAsync();
        try
        {
            var trail = new EventStoreAuditTrail(store);
            // More records than one backward read, so paging crosses batches.
            for (var i = 0; i < 1203; i++)
                await trail.RecordAsync(Record(i, i % 3 == 0 ? "ada" : "bob", i % 2 == 0 ? AuditActions.JobKilled : AuditActions.TokenCreated));

            var second = await trail.ListAsync(new AuditFilter(), 10, 5);
            Assert.Equal(1203, second.Total);
            Assert.Equal([1192, 1191, 1190, 1189, 1188], second.Items.Select(r => (int)(r.At - T0).TotalMinutes));
            var adasKills = await trail.ListAsync(new AuditFilter { User = "ada", Action = AuditActions.JobKilled }, 0, 500);
            Assert.Equal(Enumerable.Range(0, 1203).Count(i => i % 6 == 0), adasKills.Total);
            Assert.All(adasKills.Items, r => Assert.Equal(("ada", AuditActions.JobKilled), (r.User, r.Action)));
            var jobActions = await trail.ListAsync(new AuditFilter { Action = "job." }, 0, 1);
            Assert.Equal(602, jobActions.Total);
            Assert.Equal(0, (await trail.ListAsync(new AuditFilter { Action = "job" }, 0, 1)).Total);
            await Assert.ThrowsAsync<OperationRejectedException>(() => trail.ListAsync(new AuditFilter(), 0, 501));
            await Assert.ThrowsAsync<OperationRejectedException>(() => trail.ListAsync(new AuditFilter(), -1, 5));
        }
        finally
        {
            await CloseAsync(store);
        }
    }

    [Fact]
    public async Task An_empty_trail_is_an_empty_page()
    {
        var store = await OpenAsync();
        var page = await new EventStoreAuditTrail(store).ListAsync(new AuditFilter { User = "nobody" }, 0, 50);
        await CloseAsync(store);

        Assert.Equal(0, page.Total);
        Assert.Empty(page.Items);
    }
}

[Trait("Category", "Integration")]
public sealed class SqliteAuditTrailStoreTests : AuditTrailStoreTests
{
    private readonly TempDirectory _directory = new();

    protected override Task<IEventStore> OpenAsync() => Task.FromResult<IEventStore>(new SqliteEventStore(_directory.File("caas.db")));

    protected override async Task CloseAsync(IEventStore store) => await ((SqliteEventStore)store).DisposeAsync();

    public override Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }
}

[Trait("Category", "Integration")]
public sealed class PostgresAuditTrailStoreTests : AuditTrailStoreTests
{
    private PostgresTestSchema? _schema;

    protected override async Task<IEventStore> OpenAsync()
    {
        _schema ??= await PostgresTestSchema.CreateAsync();
        return new PostgresEventStore(_schema.ConnectionString);
    }

    protected override async Task CloseAsync(IEventStore store) => await ((PostgresEventStore)store).DisposeAsync();

    public override async Task DisposeAsync()
    {
        if (_schema is not null)
            await _schema.DisposeAsync();
    }
}
