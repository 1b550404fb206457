using System.Text;
using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Capture.Agent.Jobs;
using Caas.Capture.Agent.Transfer;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Cpu;
using Caas.Capture.Engine.Progress;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Agent;

/// <summary>
/// The agent's own life: prepares its data directory and progress socket, re-attaches to jobs a
/// previous run left, and every heartbeat interval reports job exits and publishes one
/// <see cref="NodeHeartbeat"/> for the node and all its jobs. Jobs outlive the agent: stopping it
/// leaves them running for the next agent to re-attach to.
/// </summary>
public sealed class NodeAgent(
    NodeJobs jobs,
    Ranks.NodeRanks ranks,
    ProgressChannel progress,
    AgentPaths paths,
    CpuInfo cpu,
    TransferServer transferServer,
    IBus bus,
    IOptions<AgentOptions> options,
    PlatformLease lease,
    TimeProvider time,
    ILogger<NodeAgent> logger) : BackgroundService
{
    /// <summary>sun_path holds 108 bytes including the terminating NUL.</summary>
    private const int MaxSocketPathBytes = 107;

    private readonly AgentOptions _options = options.Value;
    /// <summary>Sent with every heartbeat, so that recovery chooses only nodes that can run what an image was taken on.</summary>
    private readonly IReadOnlyList<string> _cpuFlags = [.. cpu.Flags.Order(StringComparer.Ordinal)];
    private readonly List<JobProcessExited> _unreportedExits = [];
    private readonly List<RankProcessExited> _unreportedRankExits = [];

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Problems() is { Count: > 0 } problems)
            throw new InvalidOperationException("The node agent's configuration is invalid: " + string.Join(" ", problems));
        if (Encoding.UTF8.GetByteCount(paths.ProgressSocket) > MaxSocketPathBytes)
            throw new InvalidOperationException($"{AgentOptions.Section}:DataDirectory is too long for a unix socket path: {paths.ProgressSocket} exceeds {MaxSocketPathBytes} bytes.");
        Directory.CreateDirectory(paths.JobsDirectory);
        Directory.CreateDirectory(paths.CheckpointsDirectory);
        progress.Bind(paths.ProgressSocket);
        _unreportedExits.AddRange(jobs.Reattach());
        var probe = await jobs.ProbeAsync(cancellationToken);
        if (probe.Usable)
            logger.LogInformation("node agent {NodeId} ready in pool {Pool} ({Slots} job slots, {Cores} cores, {MemoryMiB} MiB, labels {Labels}) with {Engine} on {CpuModel} ({CpuFlags} CPU flags); {Jobs} job(s) re-attached",
                _options.NodeId, _options.Pool, _options.JobSlots, _options.Cores, _options.MemoryBytes >> 20, NodeLabelRules.Describe(_options.Labels), probe.Version, cpu.Model, cpu.Flags.Count, jobs.RunningCount);
        else
            logger.LogWarning("node agent {NodeId}: checkpoints unavailable: {Problem}", _options.NodeId, probe.Problem);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, time);
        try
        {
            await TickAsync(stoppingToken);
            var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            while (true)
            {
                // A sample asked for between ticks (a restored job's first progress) goes out at once; the ticks keep their rhythm.
                var requested = jobs.SampleRequests.Next;
                if (await Task.WhenAny(tick, requested) == tick)
                {
                    if (!await tick)
                        break;
                    tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
                }
                await TickAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        _unreportedExits.AddRange(jobs.CollectExits());
        // Reported in order and at least once: an exit stays queued until the bus took it.
        while (_unreportedExits.Count > 0)
        {
            var exit = _unreportedExits[0];
            try
            {
                await bus.Publish(exit, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("could not report the exit of job {JobId}, will retry: {Problem}", exit.JobId, e.Message);
                break;
            }
            jobs.MarkReported(exit);
            _unreportedExits.RemoveAt(0);
        }

        await ReportRankExitsAsync(cancellationToken);

        var now = time.GetUtcNow();
        var probe = jobs.Probe;
        var node = new NodeStatus
        {
            NodeId = _options.NodeId,
            Pool = _options.Pool,
            JobSlots = _options.JobSlots,
            // A rank holds a slot like a job: placement counts it from the node's word, not only until the next heartbeats.
            RunningJobs = jobs.RunningCount + ranks.RunningCount,
            Engine = probe is { Usable: true } ? probe.Version : null,
            EngineProblem = probe is { Usable: false } ? probe.Problem : null,
            LastHeartbeatAt = now,
            HeartbeatInterval = _options.HeartbeatInterval,
            TransferUrl = transferServer.AdvertisedUrl,
            Cores = _options.Cores,
            MemoryBytes = _options.MemoryBytes,
            Labels = _options.Labels,
            KernelVersion = KernelRelease.Value,
            CpuModel = cpu.Model,
            CpuFlags = _cpuFlags,
        };
        try
        {
            await bus.Publish(new NodeHeartbeat(node, jobs.Sample(), now, ranks.Sample()), cancellationToken);
            lease.Renew(now);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("could not publish the heartbeat of node {NodeId}: {Problem}", _options.NodeId, e.Message);
        }
    }

    /// <summary>The ranks of distributed jobs that ended here, reported in order like job exits: each stays queued until the bus took it.</summary>
    private async Task ReportRankExitsAsync(CancellationToken cancellationToken)
    {
        try
        {
            _unreportedRankExits.AddRange(ranks.CollectExits());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The heartbeat must go on: the exits are looked for again on the next tick.
            logger.LogWarning("could not collect the exits of ranks: {Problem}", e.Message);
        }
        while (_unreportedRankExits.Count > 0)
        {
            var exit = _unreportedRankExits[0];
            try
            {
                await bus.Publish(exit, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("could not report the exit of rank {Rank} of job {JobId}, will retry: {Problem}", exit.Rank, exit.JobId, e.Message);
                break;
            }
            _unreportedRankExits.RemoveAt(0);
        }
    }
}
