using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Caas.EndToEnd.Tests;

/// <summary>
/// A real standalone platform process (the same binary `./caas up` runs) on free local ports with
/// its own data directory, and an admin whose password is random per run (<see cref="AdminPassword"/>); <see cref="Api"/>
/// carries a token obtained with it, as `caas-cli login` would. Stopping it sends SIGTERM, which the host handles like Ctrl-C (a background process started by a script ignores SIGINT).
/// </summary>
public sealed class StandaloneHost : IAsyncDisposable
{
    private readonly LoggedProcess _process;

    private StandaloneHost(LoggedProcess process, string dataDirectory, Uri url, string? adminPassword, Uri? metricsUrl)
    {
        MetricsUrl = metricsUrl;
        _process = process;
        DataDirectory = dataDirectory;
        Url = url;
        AdminPassword = adminPassword;
        Api = new CaasApi(url);
    }

    /// <summary>The admin's password: the one configured for this run, or the one the host printed on its first start.</summary>
    public string? AdminPassword { get; private set; }

    public string DataDirectory { get; }
    /// <summary>Its Prometheus endpoint on loopback, when started with metrics.</summary>
    public Uri? MetricsUrl { get; }
    public Uri Url { get; }
    public CaasApi Api { get; }
    public string LogPath => Path.Combine(DataDirectory, "host.log");

    /// <param name="adminPassword">The admin's password; a random one per run when null.</param>
    /// <param name="letHostChoosePassword">Configure no bootstrap password, so that a first start prints a random one (read from the log).</param>
    /// <param name="settings">More settings, passed in the environment (Caas__Mode=Cluster…), so secrets in them stay out of process listings.</param>
    /// <param name="expectedNodes">Ready once this many node agents have reported (0: once the API answers).</param>
    /// <param name="servesPortal">False for a host without the web role (Caas:Roles=silo): ready once /health/ready says so.</param>
    public static async Task<StandaloneHost> StartAsync(string? dataDirectory = null, string? adminPassword = null, bool letHostChoosePassword = false,
        IReadOnlyDictionary<string, string>? settings = null, int expectedNodes = 1, bool servesPortal = true, bool withMetrics = false)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("caas-e2e-").FullName;
        // A restart on the same data directory keeps its admin: the harness remembers the password it chose there.
        var passwordFile = Path.Combine(dataDirectory, "e2e-admin-password");
        if (!letHostChoosePassword)
        {
            adminPassword ??= File.Exists(passwordFile) ? File.ReadAllText(passwordFile) : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            File.WriteAllText(passwordFile, adminPassword);
        }
        // All at once: ports asked for one after another may come back equal once each listener is closed.
        var ports = FreePorts(4);
        var url = new Uri($"http://127.0.0.1:{ports[0]}");
        var metricsUrl = withMetrics ? new Uri($"http://127.0.0.1:{ports[3]}/metrics") : null;
        var dll = Path.Combine(RepositoryLayout.Root, "Web", "Web.Standalone", "bin", RepositoryLayout.Configuration, "net10.0", "caas-standalone.dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} is missing: build the solution first (./caas test does).");

        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = dataDirectory };
        foreach (var arg in new[]
        {
            dll,
            $"--Caas:DataDirectory={dataDirectory}",
            $"--Caas:Url={url.ToString().TrimEnd('/')}",
            $"--Caas:Orleans:SiloPort={ports[1]}",
            $"--Caas:Orleans:GatewayPort={ports[2]}",
            $"--Caas:Portal:DemoCommand={RepositoryLayout.NativeBinary("counter")}",
        })
            start.ArgumentList.Add(arg);
        if (!letHostChoosePassword)
            start.ArgumentList.Add($"--Caas:Security:BootstrapAdminPassword={adminPassword}");
        if (withMetrics)
            start.ArgumentList.Add($"--Caas:Metrics:Port={ports[3]}");
        start.Environment["CAAS_SHIM"] = RepositoryLayout.Shim;
        start.Environment["CAAS_CRIU"] = RepositoryLayout.Criu;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;

        var host = new StandaloneHost(LoggedProcess.Start(start, Path.Combine(dataDirectory, "host.log")), dataDirectory, url, adminPassword, metricsUrl);
        if (servesPortal)
            await host.WaitUntilReadyAsync(expectedNodes);
        else
            await host.WaitUntilHealthyAsync();
        return host;
    }

    /// <summary>For a host without a portal: its readiness endpoint answers 200 (event store, grain call and bus work).</summary>
    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.Process.HasExited)
                throw new InvalidOperationException($"the host exited with {_process.Process.ExitCode}:\n{ReadLog()}");
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode) return;
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the host did not become ready within 90 s:\n{ReadLog()}");
    }

    /// <summary>
    /// Ready means the API answers, gave the admin a token, and the agents (the local one, standalone) have reported their
    /// nodes. A cluster's fixture starts its host with none expected, enrolls its agents through the API, starts them,
    /// and then waits here for them.
    /// </summary>
    public async Task WaitUntilReadyAsync(int expectedNodes)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.Process.HasExited)
                throw new InvalidOperationException($"the standalone host exited with {_process.Process.ExitCode}:\n{ReadLog()}");
            try
            {
                AdminPassword ??= PrintedAdminPassword();
                if (Api.Http.DefaultRequestHeaders.Authorization is null && AdminPassword is not null)
                    Api.UseToken(await CreateTokenAsync("admin", AdminPassword));
                if (Api.Http.DefaultRequestHeaders.Authorization is null)
                {
                    await Task.Delay(250);
                    continue;
                }
                var nodes = await Api.GetNodesAsync();
                if (nodes.Count >= expectedNodes) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the standalone host did not become ready within 90 s:\n{ReadLog()}");
    }

    /// <summary>Obtains a token with the user's password (HTTP Basic), as `caas-cli login` does.</summary>
    public async Task<string> CreateTokenAsync(string user, string password)
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tokens")
        {
            Content = JsonContent.Create(new { name = "end-to-end tests" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
            throw new ApiRejectedException(response.StatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
    }

    /// <summary>The password from the first-start line the host prints when it chose one itself.</summary>
    private string? PrintedAdminPassword()
    {
        var match = Regex.Match(ReadLog(), @"first start: log in at \S+ as admin with password (\S+);");
        return match.Success ? match.Groups[1].Value : null;
    }

    public string ReadLog() => _process.ReadLog();

    public int Pid => _process.Process.Id;
    public bool HasExited => _process.Process.HasExited;

    /// <summary>kill -9: the host gets no chance to finish anything.</summary>
    public async Task KillAsync()
    {
        _process.Process.Kill();
        await _process.Process.WaitForExitAsync();
    }

    /// <summary>Stops the host as Ctrl-C would, leaving the data directory for a restart.</summary>
    public Task StopAsync() => _process.StopAsync();

    /// <summary>Ends every job this host's agent started (by the PIDs it recorded), then the host.</summary>
    public async ValueTask DisposeAsync()
    {
        JobProcesses.KillAll(DataDirectory);
        await StopAsync();
        JobProcesses.KillAll(DataDirectory);
        _process.Dispose();
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

}
