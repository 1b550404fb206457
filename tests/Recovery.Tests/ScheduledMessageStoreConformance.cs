using System.Text.Json;
using Caas.Recovery.Sagas.Scheduling;
using MassTransit;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Recovery.Tests;

/// <summary>
/// What the durable scheduler promises, run against each database it can live in: a scheduled message
/// is stored before the call returns, goes out when the clock reaches its time (and not before), never
/// when cancelled, survives a dispatcher's restart, and is sent once by several dispatchers sharing a database.
/// </summary>
public abstract class ScheduledMessageStoreConformance : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    protected FakeTimeProvider Clock { get; } = new(RecoveryHarness.Start);
    private readonly ArrivalLog _log = new();
    private readonly List<SchedulerHost> _hosts = [];

    /// <summary>A store on this test's database; each call a new instance, as another process would have.</summary>
    protected abstract IScheduledMessageStore NewStore();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var host in _hosts)
            await host.DisposeAsync();
    }

    private async Task<SchedulerHost> StartHostAsync(string name)
    {
        var host = await SchedulerHost.StartAsync(name, NewStore(), Clock, _log);
        _hosts.Add(host);
        return host;
    }

    [Fact]
    public async Task A_message_is_stored_before_schedule_returns_and_sent_with_its_body_and_token_only_when_due()
    {
        var host = await StartHostAsync("one");
        var due = RecoveryHarness.Start.AddSeconds(10);

        var handle = await host.ScheduleAsync(new Reminder("restore timed out", 7), due);

        var stored = await NewStore().GetStatusAsync(handle.TokenId);
        Assert.NotNull(stored);
        Assert.True(stored.IsPending);
        Assert.Equal(due, stored.DueAt);

        // A marker due a second earlier goes out first; the dispatcher sends in due order, so the reminder was not due yet.
        Clock.Advance(TimeSpan.FromSeconds(9));
        await host.ScheduleAsync(new Reminder("marker", 0), Clock.GetUtcNow());
        await _log.FirstAsync(a => a.Message.Note == "marker", Patience);
        Assert.DoesNotContain(_log.All, a => a.Message.Note == "restore timed out");

        Clock.Advance(TimeSpan.FromSeconds(1));
        var arrived = await _log.FirstAsync(a => a.Message.Note == "restore timed out", Patience);

        Assert.Equal(new Reminder("restore timed out", 7), arrived.Message);
        Assert.Equal(handle.TokenId, arrived.TokenId);
        var sent = await UntilSentAsync(handle.TokenId);
        Assert.Equal(due, sent.SentAt);
        Assert.Equal(1, sent.Attempts);
    }

    [Fact]
    public async Task A_cancelled_message_is_never_sent()
    {
        var host = await StartHostAsync("one");
        var cancelled = await host.ScheduleAsync(new Reminder("cancelled", 1), RecoveryHarness.Start.AddSeconds(5));
        await host.ScheduleAsync(new Reminder("kept", 2), RecoveryHarness.Start.AddSeconds(6));

        await host.CancelAsync(cancelled.TokenId);
        Clock.Advance(TimeSpan.FromSeconds(6));

        // Due a second later than the cancelled one, so it would have been sent after it.
        await _log.FirstAsync(a => a.Message.Note == "kept", Patience);
        await host.FlushAsync(_log, Patience);
        Assert.DoesNotContain(_log.All, a => a.Message.Note == "cancelled");
        var status = await NewStore().GetStatusAsync(cancelled.TokenId);
        Assert.Equal(RecoveryHarness.Start, status!.CancelledAt);
        Assert.Null(status.SentAt);
        Assert.False(await NewStore().CancelAsync(cancelled.TokenId, Clock.GetUtcNow()));
    }

    [Fact]
    public async Task A_message_scheduled_before_its_dispatcher_stopped_is_sent_by_the_next_one()
    {
        var first = await StartHostAsync("first");
        var handle = await first.ScheduleAsync(new Reminder("outlives its host", 3), RecoveryHarness.Start.AddSeconds(30));
        await first.DisposeAsync();
        _hosts.Remove(first);

        Clock.Advance(TimeSpan.FromSeconds(20));
        await StartHostAsync("second");
        Clock.Advance(TimeSpan.FromSeconds(10));

        var arrived = await _log.FirstAsync(a => a.Message.Note == "outlives its host", Patience);
        Assert.Equal("second", arrived.Host);
        Assert.Equal(handle.TokenId, arrived.TokenId);
    }

    [Fact]
    public async Task Two_dispatchers_on_one_database_send_each_message_once()
    {
        var one = await StartHostAsync("one");
        var two = await StartHostAsync("two");
        const int count = 60;
        var tokens = new List<Guid>();
        for (var i = 0; i < count; i++)
            tokens.Add((await (i % 2 == 0 ? one : two).ScheduleAsync(new Reminder($"shared {i}", i), RecoveryHarness.Start.AddSeconds(1))).TokenId);

        Clock.Advance(TimeSpan.FromSeconds(1));
        foreach (var token in tokens)
            await UntilSentAsync(token);
        // Sending returned for every message; once the markers arrive, each bus has delivered all it was given.
        await one.FlushAsync(_log, Patience);
        await two.FlushAsync(_log, Patience);

        var delivered = _log.All.Where(a => a.Message.Number >= 0).ToList();
        Assert.Equal(tokens.Order(), delivered.Select(a => a.TokenId!.Value).Order());
    }

    [Fact]
    public async Task A_message_is_stored_as_its_wire_envelope_with_type_names_and_headers_not_a_clr_type()
    {
        var store = NewStore();
        var provider = new DurableScheduleMessageProvider(store, new DispatchSignal(), Clock);
        var pipe = Pipe.Execute<SendContext<Reminder>>(context => context.Headers.Set("Caas-Incident", "incident-7"));

        var handle = await provider.ScheduleSend(SchedulerHost.Destination, RecoveryHarness.Start.UtcDateTime, new Reminder("stored", 9), pipe, CancellationToken.None);

        var stored = Assert.Single(await store.ClaimDueAsync("inspector", Clock.GetUtcNow(), TimeSpan.FromSeconds(30), 10));
        Assert.Equal(handle.TokenId, stored.TokenId);
        Assert.Equal(SchedulerHost.Destination, stored.Destination);
        Assert.Equal(["urn:message:Caas.Recovery.Tests:Reminder"], stored.MessageTypes);
        Assert.Equal("application/vnd.masstransit+json", stored.ContentType);
        using var envelope = JsonDocument.Parse(stored.Body);
        Assert.Equal("stored", envelope.RootElement.GetProperty("message").GetProperty("note").GetString());
        Assert.Equal(9, envelope.RootElement.GetProperty("message").GetProperty("number").GetInt32());
        var headers = envelope.RootElement.GetProperty("headers");
        Assert.Equal(handle.TokenId.ToString("D"), headers.GetProperty("MT-Scheduling-TokenId").GetString());
        Assert.Equal("incident-7", headers.GetProperty("Caas-Incident").GetString());
        Assert.DoesNotContain(typeof(Reminder).AssemblyQualifiedName!, stored.Body);
    }

    [Fact]
    public async Task A_failed_send_is_retried_later_and_a_claimed_message_is_not_claimed_twice()
    {
        var store = NewStore();
        var token = Guid.NewGuid();
        await store.ScheduleAsync(new ScheduledEnvelope(token, new Uri("queue:nowhere"), RecoveryHarness.Start, ["urn:message:Caas.Recovery.Tests:Reminder"],
            "application/vnd.masstransit+json", "{}"));

        var claimed = Assert.Single(await store.ClaimDueAsync("a", Clock.GetUtcNow(), TimeSpan.FromSeconds(30), 10));
        Assert.Equal(token, claimed.TokenId);
        Assert.Empty(await NewStore().ClaimDueAsync("b", Clock.GetUtcNow(), TimeSpan.FromSeconds(30), 10));

        await store.RetryLaterAsync(token, "a", Clock.GetUtcNow().AddSeconds(5), "broker down");
        Assert.Equal(Clock.GetUtcNow().AddSeconds(5), await store.NextDueAsync());
        Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Single(await NewStore().ClaimDueAsync("b", Clock.GetUtcNow(), TimeSpan.FromSeconds(30), 10));

        // The first dispatcher's late report does not count: the claim is b's now.
        await store.MarkSentAsync(token, "a", Clock.GetUtcNow());
        var status = await store.GetStatusAsync(token);
        Assert.Null(status!.SentAt);
        Assert.Equal("broker down", status.LastError);
        Assert.Equal(2, status.Attempts);
        await store.MarkSentAsync(token, "b", Clock.GetUtcNow());
        Assert.Null(await store.NextDueAsync());

        Assert.Equal(0, await store.PruneAsync(Clock.GetUtcNow()));
        Assert.Equal(1, await store.PruneAsync(Clock.GetUtcNow().AddTicks(10)));
        Assert.Null(await store.GetStatusAsync(token));
    }

    private async Task<ScheduledMessageStatus> UntilSentAsync(Guid token)
    {
        var store = NewStore();
        var giveUpAt = DateTime.UtcNow + Patience;
        while (true)
        {
            var status = await store.GetStatusAsync(token);
            if (status?.SentAt is not null)
                return status;
            if (DateTime.UtcNow > giveUpAt)
                throw new TimeoutException($"Scheduled message {token} was not marked sent within {Patience}: {status}.");
            await Task.Delay(20);
        }
    }
}
