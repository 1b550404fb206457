using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Agent.Transfer;

/// <summary>
/// The agent's own small Kestrel server for <see cref="BundleRequests"/>, on Caas:Agent:Transfer:ListenUrl;
/// off when that is not set. It is its own web host, not the portal's: an agent runs without a portal,
/// and this server must expose nothing but checkpoints.
/// </summary>
public sealed class TransferServer(BundleRequests requests, IOptions<AgentOptions> options, ILoggerFactory loggerFactory, ILogger<TransferServer> logger)
    : IHostedService, IAsyncDisposable
{
    private readonly TransferOptions _options = options.Value.Transfer;
    private WebApplication? _app;

    /// <summary>Where other agents reach this server; null while it is not running.</summary>
    public string? AdvertisedUrl { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.ListenUrl is not { } listenUrl)
        {
            logger.LogInformation("the transfer server is off ({Section}:ListenUrl is not set): other nodes cannot fetch this node's checkpoints", AgentOptions.Section + ":Transfer");
            return;
        }
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(listenUrl);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        // The agent's logging, not a second set of providers.
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        var app = builder.Build();
        app.MapGet(BundleRequests.ManifestRoute, (HttpContext http, string jobId, string sequence) => requests.ManifestAsync(http, jobId, sequence));
        app.MapGet(BundleRequests.FileRoute, (HttpContext http, string jobId, string sequence, string name) => requests.FileAsync(http, jobId, sequence, name));
        await app.StartAsync(cancellationToken);
        _app = app;
        var bound = app.Urls.First();
        AdvertisedUrl = (_options.AdvertisedUrl ?? bound).TrimEnd('/');
        logger.LogInformation("transfer server listening on {Url}, advertised as {AdvertisedUrl}", bound, AdvertisedUrl);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        AdvertisedUrl = null;
        if (_app is not null)
            await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
        _app = null;
    }
}
