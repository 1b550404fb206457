using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Caas.Monitoring.Grains.Alerts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Tests;

/// <summary>
/// A real HTTP receiver (Kestrel on 127.0.0.1) that checks each notification's signature with the shared secret, as a
/// user's receiver would, answers 500 to the first <see cref="FailFirst"/> requests and 200 (or 401 for a bad signature) after.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private WebhookReceiver(WebApplication app, int port, string secret)
    {
        _app = app;
        Port = port;
        Secret = secret;
    }

    public int Port { get; }
    public string Secret { get; }
    public string Url => $"http://127.0.0.1:{Port}/hooks/caas";
    public int FailFirst { get; set; }
    public ConcurrentQueue<ReceivedNotification> Received { get; } = new();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<WebhookReceiver> StartAsync(string secret, int? port = null, int failFirst = 0)
    {
        var chosen = port ?? FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{chosen}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, chosen, secret) { FailFirst = failFirst };
        app.MapPost("/hooks/caas", receiver.HandleAsync);
        await app.StartAsync();
        return receiver;
    }

    private async Task<IResult> HandleAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var verified = WebhookSignature.Verify(Secret, request.Headers[WebhookSignature.TimestampHeader], request.Headers[WebhookSignature.SignatureHeader],
            body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        if (Interlocked.Increment(ref _requests) <= FailFirst)
            return Results.StatusCode(StatusCodes.Status500InternalServerError);
        Received.Enqueue(new ReceivedNotification(body, verified, request.Headers[WebhookSignature.SignatureHeader].ToString()));
        return verified ? Results.Ok() : Results.Unauthorized();
    }

    public int Requests => Volatile.Read(ref _requests);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record ReceivedNotification(byte[] Body, bool SignatureVerified, string Signature);
