using System.Text.Json;
using Caas.Contracts.Alerts;
using Caas.Contracts.Views;
using Caas.Monitoring.Grains.Alerts;
using Microsoft.Extensions.Logging.Abstractions;

namespace Caas.Monitoring.Tests;

/// <summary>Webhook notifications through the SQLite outbox and the dispatcher to a real HTTP receiver that checks signatures.</summary>
[Trait("Category", "Integration")]
public sealed class WebhookDeliveryTests : IDisposable
{
    private const string Secret = "receiver's shared secret";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _directory = new();

    private static AlertNotification Firing(string alertId = "stalled-job-00000000d1") =>
        new(alertId, AlertNotification.Firing, AlertKind.Stalled, "job-00000000d1", "sim", "node-a", "cloud-1", "no progress for 40 s", 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    private (SqliteAlertOutbox Outbox, WebhookDispatcher Dispatcher) Start(string url, string secret = Secret)
    {
        var options = new AlertingOptions { Webhooks = [new WebhookTarget { Url = url, Secret = secret }] };
        var outbox = new SqliteAlertOutbox(_directory.File("caas.db"), options, TimeProvider.System);
        return (outbox, new WebhookDispatcher(outbox, options, TimeProvider.System, NullLogger<WebhookDispatcher>.Instance));
    }

    private static async Task<AlertDelivery> WaitForAsync(SqliteAlertOutbox outbox, string alertId, Func<AlertDelivery, bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            var deliveries = await outbox.ListAsync([alertId]);
            if (deliveries.TryGetValue((alertId, 1), out var list) && list.Count == 1 && condition(list[0]))
                return list[0];
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException($"Delivery of {alertId} is not there yet: {JsonSerializer.Serialize(deliveries.Values)}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_notification_arrives_signed_over_its_raw_body_and_is_marked_delivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        var (outbox, dispatcher) = Start(receiver.Url);
        await dispatcher.StartAsync(default);
        try
        {
            await outbox.EnqueueAsync(Guid.NewGuid(), Firing());

            var delivery = await WaitForAsync(outbox, "stalled-job-00000000d1", d => d.Status == DeliveryStatus.Delivered);

            var received = Assert.Single(receiver.Received);
            Assert.True(received.SignatureVerified);
            Assert.StartsWith("sha256=", received.Signature, StringComparison.Ordinal);
            using var body = JsonDocument.Parse(received.Body);
            Assert.Equal(("stalled-job-00000000d1", "firing", "Stalled"), (body.RootElement.GetProperty("alertId").GetString(), body.RootElement.GetProperty("status").GetString(), body.RootElement.GetProperty("kind").GetString()));
            Assert.Equal((1, "http://127.0.0.1:" + receiver.Port + "/hooks/caas", "firing"), (delivery.Attempts, delivery.Webhook, delivery.Notification));
        }
        finally
        {
            await dispatcher.StopAsync(default);
            dispatcher.Dispose();
        }
    }

    [Fact]
    public void A_signature_made_with_another_secret_or_an_old_timestamp_does_not_verify()
    {
        var body = "{\"alertId\":\"x\"}"u8.ToArray();
        var now = DateTimeOffset.UtcNow;
        var signature = WebhookSignature.Sign(Secret, now.ToUnixTimeSeconds(), body);

        Assert.True(WebhookSignature.Verify(Secret, now.ToUnixTimeSeconds().ToString(), signature, body, now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("another secret", now.ToUnixTimeSeconds().ToString(), signature, body, now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, now.ToUnixTimeSeconds().ToString(), signature, "{\"alertId\":\"y\"}"u8.ToArray(), now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, now.ToUnixTimeSeconds().ToString(), signature, body, now.AddMinutes(6), TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task A_receiver_that_fails_the_first_attempts_gets_the_notification_on_a_later_retry()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret, failFirst: 2);
        var (outbox, dispatcher) = Start(receiver.Url);
        await dispatcher.StartAsync(default);
        try
        {
            await outbox.EnqueueAsync(Guid.NewGuid(), Firing());

            var delivery = await WaitForAsync(outbox, "stalled-job-00000000d1", d => d.Status == DeliveryStatus.Delivered);

            Assert.Equal(3, delivery.Attempts);
            Assert.Equal(3, receiver.Requests);
            Assert.True(Assert.Single(receiver.Received).SignatureVerified);
        }
        finally
        {
            await dispatcher.StopAsync(default);
            dispatcher.Dispose();
        }
    }

    [Fact]
    public async Task A_notification_not_delivered_before_the_dispatcher_stops_is_delivered_after_it_starts_again()
    {
        var port = WebhookReceiver.FreePort();
        var url = $"http://127.0.0.1:{port}/hooks/caas";
        var (outbox, dispatcher) = Start(url);
        await dispatcher.StartAsync(default);
        await outbox.EnqueueAsync(Guid.NewGuid(), Firing());
        var failed = await WaitForAsync(outbox, "stalled-job-00000000d1", d => d.Attempts >= 1);
        await dispatcher.StopAsync(default);
        dispatcher.Dispose();
        Assert.Equal(DeliveryStatus.Pending, failed.Status);
        Assert.NotNull(failed.LastError);

        await using var receiver = await WebhookReceiver.StartAsync(Secret, port);
        var (reopened, restarted) = Start(url);
        await restarted.StartAsync(default);
        try
        {
            var delivered = await WaitForAsync(reopened, "stalled-job-00000000d1", d => d.Status == DeliveryStatus.Delivered);

            Assert.True(Assert.Single(receiver.Received).SignatureVerified);
            Assert.True(delivered.Attempts >= 2);
        }
        finally
        {
            await restarted.StopAsync(default);
            restarted.Dispose();
        }
    }

    [Fact]
    public async Task The_same_event_queued_twice_is_delivered_once()
    {
        var (outbox, _) = Start("http://127.0.0.1:9/hooks/caas");
        var eventId = Guid.NewGuid();

        await outbox.EnqueueAsync(eventId, Firing());
        await outbox.EnqueueAsync(eventId, Firing());

        Assert.Single((await outbox.ListAsync(["stalled-job-00000000d1"]))[("stalled-job-00000000d1", 1)]);
    }

    public void Dispose() => _directory.Dispose();
}
