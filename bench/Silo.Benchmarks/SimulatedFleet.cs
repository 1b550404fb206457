using System.Collections.Concurrent;
using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;

namespace Caas.Silo.Benchmarks;

/// <summary>The simulated nodes and the jobs launched on them; makes each node's batched heartbeat as an agent would.</summary>
public sealed class SimulatedFleet(int nodes, int slotsPerNode, TimeSpan heartbeatInterval)
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, int>> _jobsByNode = new();
    private int _nextPid = 1000;
    private long _round;

    public IReadOnlyList<string> NodeIds { get; } = Enumerable.Range(1, nodes).Select(n => $"sim-{n:00}").ToArray();

    public int LaunchedJobs => _jobsByNode.Values.Sum(jobs => jobs.Count);

    public int Launched(string jobId, string nodeId)
    {
        var pid = Interlocked.Increment(ref _nextPid);
        _jobsByNode.GetOrAdd(nodeId, _ => new())[jobId] = pid;
        return pid;
    }

    /// <summary>One heartbeat per node; every job's progress and CPU time move, so each sample records two events.</summary>
    public IReadOnlyList<NodeHeartbeat> NextHeartbeats()
    {
        var round = Interlocked.Increment(ref _round);
        var now = DateTimeOffset.UtcNow;
        return NodeIds.Select(node =>
        {
            var jobs = _jobsByNode.GetValueOrDefault(node) ?? new();
            var samples = jobs.Select(job => new JobSample
            {
                JobId = job.Key,
                Pid = job.Value,
                State = "R",
                CpuSeconds = round * heartbeatInterval.TotalSeconds,
                RssBytes = 64 << 20,
                Threads = 1,
                Progress = Math.Min(1, round / 1_000_000.0),
                ProgressMessage = $"step {round}",
                LastReportAt = now,
            }).ToArray();
            return new NodeHeartbeat(Status(node, jobs.Count, now), samples, now);
        }).ToArray();
    }

    public NodeStatus Status(string node, int running, DateTimeOffset now) => new()
    {
        NodeId = node,
        Pool = "sim",
        JobSlots = slotsPerNode,
        RunningJobs = running,
        Engine = "simulated",
        LastHeartbeatAt = now,
        HeartbeatInterval = heartbeatInterval,
    };
}
