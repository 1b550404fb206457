using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Api;

/// <summary>
/// A real Kestrel server on 127.0.0.1 and a random port, wired the way a host wires the portal
/// (<c>AddCaasPortal</c> + <c>MapCaasPortal</c>), with the fake platform behind it.
/// </summary>
public sealed class PortalApiHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private PortalApiHost(WebApplication app, FakeJobPlatform platform, HttpClient client)
    {
        this.app = app;
        Platform = platform;
        Client = client;
    }

    public FakeJobPlatform Platform { get; }
    public HttpClient Client { get; }

    public static async Task<PortalApiHost> StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = typeof(PortalApiHost).Assembly.GetName().Name,
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var platform = new FakeJobPlatform(new FakeTimeProvider(SampleJobs.Start));
        builder.Services.AddCaasPortal();
        builder.Services.AddSingleton<IJobOperations>(platform);
        builder.Services.AddSingleton<IJobQueries>(platform);
        var app = builder.Build();
        app.MapCaasPortal();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new PortalApiHost(app, platform, new HttpClient { BaseAddress = new Uri(address) });
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.DisposeAsync();
    }
}
