using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Capture.Agent;
using Caas.Capture.Agent.Jobs;
using Caas.Capture.Engine;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Caas.Capture.Tests;

/// <summary>
/// The agent's half of fencing, with a real agent, shim and job process: the epoch a placement gave a job travels in
/// its samples and limits which copy a kill may end; and an agent whose heartbeats stop reaching the platform for
/// longer than its lease kills its jobs itself, then reports why once it is heard again. The cut is a publish filter
/// that fails every publish while set, as a broker connection cut by the network would.
/// </summary>
[Trait("Category", "EndToEnd")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AgentFencingTests : IAsyncLifetime
{
    private const string Node = "node-fenced";
    private readonly TemporaryDirectory _directory = new();
    private readonly NetworkCut _cut = new();
    private IHost _host = null!;
    private ITestHarness _harness = null!;

    public async Task InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Caas:Agent:NodeId"] = Node,
            ["Caas:Agent:Pool"] = "pool-f",
            ["Caas:Agent:HeartbeatInterval"] = "00:00:00.800",
            // Two and a half intervals: shorter than the platform's node-lost timeout of three, and long enough that a
            // heavily loaded machine (a CI run beside other builds) does not let it lapse while the platform hears the agent.
            ["Caas:Agent:Lease"] = "00:00:02",
            ["Caas:Agent:DataDirectory"] = _directory.Path,
            ["Caas:Agent:ImageKeyFile"] = _directory.Combine("image.key"),
            ["Caas:Agent:Capture:ShimPath"] = NativeBinaries.Shim,
            ["Caas:Agent:Capture:CriuPath"] = NativeBinaries.Criu,
        });
        builder.Services.AddCaasAgent(builder.Configuration);
        builder.Services.AddMassTransitTestHarness(bus =>
        {
            bus.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(60), testInactivityTimeout: TimeSpan.FromSeconds(30));
            bus.AddCaasAgentConsumers(Node);
            bus.UsingInMemory((context, cfg) =>
            {
                cfg.ConfigurePublish(publish => publish.UseFilter(_cut));
                cfg.ConfigureEndpoints(context);
            });
        });
        _host = builder.Build();
        await _host.StartAsync();
        _harness = _host.Services.GetRequiredService<ITestHarness>();
    }

    public async Task DisposeAsync()
    {
        var engine = _host.Services.GetRequiredService<ICheckpointEngine>();
        var paths = _host.Services.GetRequiredService<AgentPaths>();
        foreach (var record in _host.Services.GetRequiredService<JobRecordStore>().LoadAll())
            engine.Kill(new JobHandle(record.JobId, paths.JobDirectory(record.JobId), record.Pid, record.StartTicks));
        await _host.StopAsync();
        _host.Dispose();
        _directory.Dispose();
    }

    private static JobSpec CounterSpec() => new() { Command = NativeBinaries.Counter, Args = ["--target", "1000000", "--rate", "50"] };

    private async Task Send<T>(T command) where T : class =>
        await (await _harness.Bus.GetSendEndpoint(AgentAddress.For(Node))).Send(command);

    private async Task<T> Published<T>(Func<T, bool> match) where T : class
    {
        Assert.True(await _harness.Published.Any<T>(m => match(m.Context.Message)), $"no matching {typeof(T).Name} was published");
        return _harness.Published.Select<T>(m => match(m.Context.Message)).First().Context.Message;
    }

    private static Task WaitUntilAsync(Func<bool> condition, string failure) =>
        Eventually.Get<string>(() => condition() ? "yes" : null, _ => true, TimeSpan.FromSeconds(30), failure);

    /// <summary>Counted by the cut filter: polling the harness's list would hold the publishes up.</summary>
    private int HeartbeatsWith(string jobId) => _cut.Heartbeats.Count(h => h.Samples.Any(s => s.JobId == jobId));

    [Fact]
    public async Task A_job_reports_the_epoch_it_was_launched_under_and_a_kill_for_an_older_epoch_spares_it()
    {
        var jobId = JobIds.New();
        await Send(new LaunchJob(jobId, Node, CounterSpec(), Epoch: 5));
        var launched = await Published<JobLaunched>(m => m.JobId == jobId);

        var sample = (await Published<NodeHeartbeat>(m => m.Samples.Any(s => s.JobId == jobId))).Samples.Single(s => s.JobId == jobId);
        Assert.Equal(5L, sample.Epoch);

        await Send(new KillJob(jobId, Node, "stale copy of epoch 4", UpToEpoch: 4));
        Assert.True(await _harness.Consumed.Any<KillJob>(m => m.Context.Message.UpToEpoch == 4));
        var beatsAfter = HeartbeatsWith(jobId);
        await WaitUntilAsync(() => HeartbeatsWith(jobId) >= beatsAfter + 3, "the job stopped heartbeating after a kill meant for an older epoch");
        Assert.True(Directory.Exists($"/proc/{launched.Pid}"), "a kill for epoch 4 ended the copy of epoch 5");

        await Send(new KillJob(jobId, Node, "stale copy of epoch 5", UpToEpoch: 5));
        var exited = await Published<JobProcessExited>(m => m.JobId == jobId);
        Assert.Equal(9, exited.Signal);
    }

    [Fact]
    public async Task An_agent_cut_off_from_the_platform_longer_than_its_lease_kills_its_jobs_and_says_why_once_heard_again()
    {
        var jobId = JobIds.New();
        await Send(new LaunchJob(jobId, Node, CounterSpec(), Epoch: 1));
        var launched = await Published<JobLaunched>(m => m.JobId == jobId);
        // While heartbeats get through, the lease holds over many of its lengths.
        await WaitUntilAsync(() => HeartbeatsWith(jobId) >= 8, "the job was not heartbeating");
        Assert.True(Directory.Exists($"/proc/{launched.Pid}"), "the job was killed although the platform heard the agent");

        _cut.IsCut = true;
        await WaitUntilAsync(() => !Directory.Exists($"/proc/{launched.Pid}"), "the cut-off agent did not kill its job");

        _cut.IsCut = false;
        var exited = await Published<JobProcessExited>(m => m.JobId == jobId);
        Assert.Equal(9, exited.Signal);
        Assert.StartsWith($"self-fenced: node {Node} could not reach the platform since", exited.Reason);
    }

    /// <summary>Fails every publish while cut, as a publish into a broker connection the network dropped does; keeps the heartbeats let through.</summary>
    private sealed class NetworkCut : IFilter<PublishContext>
    {
        public volatile bool IsCut;
        public System.Collections.Concurrent.ConcurrentQueue<NodeHeartbeat> Heartbeats { get; } = new();

        public Task Send(PublishContext context, IPipe<PublishContext> next)
        {
            if (IsCut)
                throw new InvalidOperationException("network cut: the broker cannot be reached");
            if (context is PublishContext<NodeHeartbeat> heartbeat)
                Heartbeats.Enqueue(heartbeat.Message);
            return next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("networkCut");
    }
}
