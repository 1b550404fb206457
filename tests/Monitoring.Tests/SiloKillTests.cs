using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Monitoring.Cluster;
using Caas.Recovery.Tests;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Caas.Monitoring.Tests;

/// <summary>
/// Two real silos in processes of their own, one Orleans cluster through PostgreSQL, job streams in PostgreSQL, agent
/// reports over a real RabbitMQ. One silo is SIGKILLed while heartbeats flow: its job grains must come back on the
/// other from the event store, and every heartbeat the broker acknowledged must end up in its job's stream.
/// </summary>
[Trait("Category", "Chaos")]
public sealed class SiloKillTests : IAsyncLifetime
{
    private const string Node = "chaos-node";
    private const int Jobs = 12;
    private const int Rounds = 30;
    private const int KillAfterRound = 10;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly string _cluster = $"chaos-{Guid.NewGuid():N}"[..20];
    private PostgresTestSchema _schema = null!;
    private RabbitMqTestVhost _vhost = null!;
    private readonly List<TestHostProcess> _silos = [];
    private IHost? _agent;
    private IHost? _client;

    public async Task InitializeAsync()
    {
        _schema = await PostgresTestSchema.CreateAsync();
        _vhost = await RabbitMqTestVhost.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
            await silo.DisposeAsync();
        foreach (var host in new[] { _client, _agent })
        {
            if (host is null)
                continue;
            await host.StopAsync(TimeSpan.FromSeconds(10));
            host.Dispose();
        }
        NpgsqlConnection.ClearAllPools();
        await _vhost.DisposeAsync();
        await _schema.DisposeAsync();
    }

    [Fact]
    public async Task A_killed_silo_s_jobs_resume_on_the_other_and_no_acknowledged_heartbeat_is_lost()
    {
        var first = await StartSiloAsync();
        _silos.Add(first);
        _silos.Add(await StartSiloAsync());
        _agent = await StartSimulatedAgentAsync();
        _client = await StartClientAsync();
        var bus = _agent.Services.GetRequiredService<IBus>();
        var grains = _client.Services.GetRequiredService<IClusterClient>();

        // The node heartbeats (no jobs yet) until the measured rounds start, so it stays live for placement.
        using var setUp = new CancellationTokenSource();
        var nodeAlive = Task.Run(async () =>
        {
            while (!setUp.IsCancellationRequested)
            {
                await bus.Publish(Heartbeat(round: 0, []));
                await Task.Delay(500);
            }
        });
        await WaitUntil(async () => (await grains.GetGrain<INodeDirectoryGrain>(0).List()).Any(n => n.NodeId == Node), "the node registered");
        var jobIds = Enumerable.Range(0, Jobs).Select(_ => JobIds.New()).ToArray();
        foreach (var jobId in jobIds)
            await grains.GetGrain<IJobGrain>(jobId).Submit(new JobSpec { Command = "/usr/bin/true", StallThreshold = TimeSpan.FromHours(1), StarvationWindow = TimeSpan.Zero });
        await WaitUntil(async () => (await Task.WhenAll(jobIds.Select(id => grains.GetGrain<IJobGrain>(id).GetView()))).All(v => v?.Status == JobStatus.Running), "every job running");
        await setUp.CancelAsync();
        await nodeAlive;

        for (var round = 1; round <= Rounds; round++)
        {
            // Publish returns once the broker confirmed the message: from here on it must not be lost.
            await bus.Publish(Heartbeat(round, jobIds));
            if (round == KillAfterRound)
                await first.KillAsync();
            await Task.Delay(200);
        }

        await WaitUntil(async () => (await MissingHeartbeatsAsync(jobIds)).Count == 0, "every acknowledged heartbeat in its job's stream");
        var views = await Task.WhenAll(jobIds.Select(id => grains.GetGrain<IJobGrain>(id).GetView()));
        Assert.All(views, view => Assert.Equal((JobStatus.Running, (double?)Rounds / 1000), (view!.Status, view.Progress)));
    }

    private NodeHeartbeat Heartbeat(int round, IReadOnlyList<string> jobIds) => new(
        new NodeStatus { NodeId = Node, Pool = "chaos", JobSlots = 100, RunningJobs = jobIds.Count, Engine = "simulated", LastHeartbeatAt = DateTimeOffset.UtcNow, HeartbeatInterval = TimeSpan.FromSeconds(1) },
        jobIds.Select((id, i) => new JobSample { JobId = id, Pid = 1000 + i, State = "R", CpuSeconds = round, Progress = round / 1000.0 }).ToArray(),
        DateTimeOffset.UtcNow);

    /// <summary>(job, round) pairs published and confirmed but not in the job's stream; a round is told by its sample's CPU seconds.</summary>
    private async Task<List<(string JobId, int Round)>> MissingHeartbeatsAsync(IReadOnlyList<string> jobIds)
    {
        var seen = new HashSet<(string, int)>();
        await using var connection = await _schema.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT stream, data FROM events WHERE type = 'HeartbeatRecorded'", connection);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                using var data = JsonDocument.Parse(reader.GetString(1));
                seen.Add((reader.GetString(0), (int)data.RootElement.GetProperty("sample").GetProperty("cpuSeconds").GetDouble()));
            }
        }
        return jobIds.SelectMany(id => Enumerable.Range(1, Rounds).Select(round => (id, round))).Where(pair => !seen.Contains(pair)).ToList();
    }

    private async Task<TestHostProcess> StartSiloAsync() =>
        await TestHostProcess.StartAsync("Monitoring.SiloHost", new Dictionary<string, string>
        {
            ["CAAS_SILOHOST_POSTGRES"] = _schema.ConnectionString,
            ["CAAS_SILOHOST_RABBITMQ"] = _vhost.AmqpUri,
            ["CAAS_SILOHOST_CLUSTER"] = _cluster,
            ["CAAS_SILOHOST_SILO_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CAAS_SILOHOST_GATEWAY_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, patience: TimeSpan.FromSeconds(90));

    /// <summary>The node's agent, as far as the silos can tell: it answers launch checks and reports launches at once.</summary>
    private async Task<IHost> StartSimulatedAgentAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        builder.Services.AddMassTransit(bus => bus.UsingRabbitMq((context, cfg) =>
        {
            _vhost.Configure(cfg);
            cfg.ReceiveEndpoint(AgentAddress.QueueName(Node), endpoint => endpoint.Consumer<SimulatedAgent>());
        }));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private async Task<IHost> StartClientAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client.UseCaasPostgresCluster(_schema.ConnectionString, _cluster, "caas-chaos"));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private async Task WaitUntil(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                    return;
            }
            catch (Exception e) when (e is TimeoutException or OrleansException or SiloUnavailableException)
            {
                // A call routed to the killed silo fails until the cluster declares it dead.
            }
            await Task.Delay(250);
        }
        Assert.Fail($"not {what} within {Patience}; the silos said:\n" + string.Join("\n---\n", _silos.Select(s => s.Output)));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class SimulatedAgent : IConsumer<CheckLaunch>, IConsumer<LaunchJob>
    {
        public Task Consume(ConsumeContext<CheckLaunch> context) =>
            context.RespondAsync(new LaunchCheckResult(context.Message.NodeId, Launchable: true, Problem: null));

        public Task Consume(ConsumeContext<LaunchJob> context) =>
            context.Publish(new JobLaunched(context.Message.JobId, context.Message.NodeId, 4242, DateTimeOffset.UtcNow));
    }
}
