using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>
/// Delivers the outbox's notifications: a signed POST per delivery; a failure (no answer, or not 2xx) is tried again
/// after 1 s, 2 s, 4 s ... (at most <see cref="LongestBackoff"/>) until <see cref="MaxAttempts"/>, then marked failed.
/// Logs name the webhook by scheme, host and path only; its secret is never logged.
/// </summary>
public sealed class WebhookDispatcher(
    SqliteAlertOutbox outbox,
    AlertingOptions options,
    [FromKeyedServices(MonitoringClock.Key)] TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const int MaxAttempts = 8;
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan LongestBackoff = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static TimeSpan BackoffAfter(int attempts) =>
        TimeSpan.FromTicks(Math.Min(LongestBackoff.Ticks, FirstBackoff.Ticks << Math.Min(attempts - 1, 20)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    foreach (var delivery in await outbox.DueAsync(time.GetUtcNow(), 50, stoppingToken))
                        await DeliverAsync(delivery, stoppingToken);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    logger.LogWarning(error, "Reading the webhook outbox failed; trying again");
                }
                await Task.Delay(PollInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    private async Task DeliverAsync(PendingDelivery delivery, CancellationToken cancellationToken)
    {
        var webhook = options.Webhooks.FirstOrDefault(w => w.Url == delivery.Url);
        var attempts = delivery.Attempts + 1;
        string? error;
        if (webhook is null || string.IsNullOrEmpty(webhook.Secret))
            error = "the webhook is no longer configured (or has no secret)";
        else
            error = await PostAsync(webhook, delivery, cancellationToken);
        var now = time.GetUtcNow();
        if (error is null)
        {
            await outbox.RecordAttemptAsync(delivery.Id, delivered: true, null, now, null, cancellationToken);
            logger.LogInformation("Delivered alert notification {Delivery} to {Webhook}", delivery.Id, webhook?.DisplayName);
            return;
        }
        var retryAt = webhook is not null && attempts < MaxAttempts ? now + BackoffAfter(attempts) : (DateTimeOffset?)null;
        await outbox.RecordAttemptAsync(delivery.Id, delivered: false, error, now, retryAt, cancellationToken);
        logger.LogWarning("Alert notification {Delivery} to {Webhook} failed (attempt {Attempt}): {Error}; {Next}",
            delivery.Id, webhook?.DisplayName ?? new WebhookTarget { Url = delivery.Url }.DisplayName, attempts, error,
            retryAt is { } at ? $"next attempt at {at:u}" : "given up");
    }

    /// <returns>Null when delivered; else what went wrong, for the delivery's status.</returns>
    private async Task<string?> PostAsync(WebhookTarget webhook, PendingDelivery delivery, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(delivery.Body);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(webhook.Secret, timestamp, body));
        request.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id.ToString(CultureInfo.InvariantCulture));
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return error is TaskCanceledException ? "no answer within 10 s" : error.Message;
        }
    }
}
