using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Caas.EndToEnd.Tests;

/// <summary>
/// A user's webhook receiver on 127.0.0.1: checks X-Caas-Signature the way docs/alerts.md tells users to (HMAC-SHA256
/// of "timestamp.body" with the shared secret, timestamp at most 5 minutes old), written from the docs, not from the
/// platform's code, and keeps the verified notifications.
/// </summary>
internal sealed class SignedWebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SignedWebhookReceiver(WebApplication app, string url, string secret)
    {
        _app = app;
        Url = url;
        Secret = secret;
    }

    public string Url { get; }
    public string Secret { get; }
    public ConcurrentQueue<JsonElement> Verified { get; } = new();
    public int Refused;

    public static async Task<SignedWebhookReceiver> StartAsync(string secret)
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new SignedWebhookReceiver(app, $"http://127.0.0.1:{port}/caas-alerts", secret);
        app.MapPost("/caas-alerts", receiver.ReceiveAsync);
        await app.StartAsync();
        return receiver;
    }

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var timestamp = request.Headers["X-Caas-Timestamp"].ToString();
        var signature = request.Headers["X-Caas-Signature"].ToString();
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) > 300)
        {
            Interlocked.Increment(ref Refused);
            return Results.Unauthorized();
        }
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray()));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            Interlocked.Increment(ref Refused);
            return Results.Unauthorized();
        }
        Verified.Enqueue(JsonDocument.Parse(body).RootElement.Clone());
        return Results.Ok();
    }

    public async Task<JsonElement> WaitForAsync(string alertId, string status, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var notification in Verified)
                if (notification.GetProperty("alertId").GetString() == alertId && notification.GetProperty("status").GetString() == status)
                    return notification;
            await Task.Delay(200);
        }
        throw new TimeoutException($"No verified '{status}' notification of {alertId} within {timeout} ({Verified.Count} verified, {Refused} refused).");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
