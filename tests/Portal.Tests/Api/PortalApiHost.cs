using System.Net.Http.Headers;
using Caas.Web.Portal.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Api;

/// <summary>
/// A real Kestrel server on 127.0.0.1 and a random port, wired the way a host wires the portal
/// (<c>AddCaasPortal</c> + <c>MapCaasPortal</c>), with the fake platform behind it and a real SQLite users and
/// tokens store in a temporary directory. <see cref="Client"/> carries an admin's token.
/// </summary>
public sealed class PortalApiHost : IAsyncDisposable
{
    public const string AdminPassword = "admin password for tests";

    private readonly WebApplication app;
    private readonly DirectoryInfo directory;

    private PortalApiHost(WebApplication app, DirectoryInfo directory, FakeJobPlatform platform, Uri address)
    {
        this.app = app;
        this.directory = directory;
        Platform = platform;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public FakeJobPlatform Platform { get; }
    public FakeAlerts Alerts { get; private init; } = null!;
    public FakeJobOutput Output { get; private init; } = null!;
    public FakeRecoveryPolicies Policies { get; private init; } = null!;
    public FakeProjections Projections { get; private init; } = null!;
    public FakeAuditTrail Audit { get; private init; } = null!;
    /// <summary>Everything the host logged, to check that no secret reaches the log.</summary>
    public CapturedLog Log { get; private init; } = null!;
    public Uri Address { get; }
    public HttpClient Client { get; }
    public string AdminToken { get; private set; } = "";
    public IServiceProvider Services => app.Services;
    public ISecurityStore Store => app.Services.GetRequiredService<ISecurityStore>();
    public string DatabasePath => Path.Combine(directory.FullName, "caas.db");

    public static async Task<PortalApiHost> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("caas-portal-");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = typeof(PortalApiHost).Assembly.GetName().Name,
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Caas:Security:DatabasePath"] = Path.Combine(directory.FullName, "caas.db"),
            ["Caas:Security:BootstrapAdminPassword"] = AdminPassword,
        });
        var platform = new FakeJobPlatform(new FakeTimeProvider(SampleJobs.Start));
        builder.Services.AddCaasPortal();
        builder.Services.AddSingleton<IJobOperations>(platform);
        builder.Services.AddSingleton<IJobQueries>(platform);
        builder.Services.AddSingleton<IRecoveryIncidents>(platform);
        builder.Services.AddSingleton<INodeOperations>(platform);
        builder.Services.AddSingleton<IJobMigrations>(platform);
        var output = new FakeJobOutput();
        builder.Services.AddSingleton<IJobOutput>(output);
        var alerts = new FakeAlerts(new FakeTimeProvider(SampleJobs.Start));
        builder.Services.AddSingleton<IAlertOperations>(alerts);
        var policies = new FakeRecoveryPolicies();
        builder.Services.AddSingleton<IRecoveryPolicies>(policies);
        var projections = new FakeProjections();
        builder.Services.AddSingleton<IProjectionOperations>(projections);
        var audit = new FakeAuditTrail();
        builder.Services.AddSingleton<IAuditTrail>(audit);
        var log = new CapturedLog();
        builder.Logging.AddProvider(log);
        var app = builder.Build();
        app.MapCaasPortal();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        var host = new PortalApiHost(app, directory, platform, new Uri(address)) { Alerts = alerts, Output = output, Policies = policies, Projections = projections, Audit = audit, Log = log };
        host.AdminToken = await host.CreateTokenAsync(AdministratorBootstrap.AdminName);
        host.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.AdminToken);
        return host;
    }

    /// <summary>A token for <paramref name="user"/>, made the way POST /api/v1/tokens makes one.</summary>
    public async Task<string> CreateTokenAsync(string user) => (await Store.CreateTokenAsync(user, "tests", null)).Secret;

    /// <summary>Creates a user with <paramref name="role"/> and returns a token of theirs.</summary>
    public async Task<string> CreateUserWithTokenAsync(string name, string role)
    {
        await Store.CreateUserAsync(name, $"{name} password for tests", role);
        return await CreateTokenAsync(name);
    }

    /// <summary>A client with a cookie jar, logged in as admin through the login form as a browser would be.</summary>
    public async Task<HttpClient> LoggedInBrowserAsync()
    {
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = Address };
        var form = await browser.GetStringAsync("/login");
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var response = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = System.Net.WebUtility.HtmlDecode(token), ["user"] = AdministratorBootstrap.AdminName,
            ["password"] = AdminPassword, ["returnUrl"] = "/",
        }));
        response.EnsureSuccessStatusCode();
        return browser;
    }

    public HttpClient ClientWith(string? token)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        directory.Delete(recursive: true);
    }
}
