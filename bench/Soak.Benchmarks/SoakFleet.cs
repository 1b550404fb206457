using System.Collections.Concurrent;
using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;

namespace Caas.Soak.Benchmarks;

/// <summary>
/// The simulated nodes and their jobs. Every job moves on at each heartbeat unless a stall was injected into it;
/// each node's heartbeat carries all its jobs, as a real agent's does. Counts, per job, the samples the broker
/// acknowledged: what the store must hold afterwards.
/// </summary>
public sealed class SoakFleet(int nodes, int slotsPerNode, TimeSpan heartbeatInterval)
{
    public sealed class Job(string id, string node, int pid)
    {
        public string Id { get; } = id;
        public string Node { get; } = node;
        public int Pid { get; } = pid;
        public long Steps;
        public long Acknowledged;
        public DateTimeOffset LastProgressAt = DateTimeOffset.UtcNow;
        /// <summary>When its progress stopped (the injected stall); null while it moves.</summary>
        public DateTimeOffset? StalledAt;
    }

    private readonly ConcurrentDictionary<string, Job> jobs = new();
    private int nextPid = 100_000;

    public const string Pool = "soak";

    public IReadOnlyList<string> NodeIds { get; } = Enumerable.Range(1, nodes).Select(n => $"soak-{n:00}").ToArray();

    public IReadOnlyCollection<Job> Jobs => (IReadOnlyCollection<Job>)jobs.Values;

    /// <summary>Nodes that send nothing for now (their network cut, as the node-loss fault).</summary>
    public ConcurrentDictionary<string, bool> Silent { get; } = new();

    public int Launched(string jobId, string nodeId)
    {
        var job = jobs.GetOrAdd(jobId, id => new Job(id, nodeId, Interlocked.Increment(ref nextPid)));
        return job.Pid;
    }

    /// <summary>One heartbeat per node that is not silent, with the jobs each sample is about.</summary>
    public IReadOnlyList<(NodeHeartbeat Heartbeat, Job[] Jobs)> NextHeartbeats()
    {
        var now = DateTimeOffset.UtcNow;
        var byNode = jobs.Values.GroupBy(j => j.Node).ToDictionary(g => g.Key, g => g.ToArray());
        return NodeIds.Where(node => !Silent.ContainsKey(node)).Select(node =>
        {
            var onNode = byNode.GetValueOrDefault(node) ?? [];
            var samples = onNode.Select(job =>
            {
                if (job.StalledAt is null)
                {
                    job.Steps++;
                    job.LastProgressAt = now;
                }
                return new JobSample
                {
                    JobId = job.Id,
                    Pid = job.Pid,
                    State = "R",
                    CpuSeconds = job.Steps * heartbeatInterval.TotalSeconds,
                    RssBytes = 64 << 20,
                    Threads = 1,
                    Progress = Math.Min(1, job.Steps / 1_000_000.0),
                    ProgressMessage = $"step {job.Steps}",
                    LastReportAt = job.LastProgressAt,
                };
            }).ToArray();
            return (new NodeHeartbeat(Status(node, onNode.Length, now), samples, now), onNode);
        }).ToArray();
    }

    public NodeStatus Status(string node, int running, DateTimeOffset now) => new()
    {
        NodeId = node,
        Pool = Pool,
        JobSlots = slotsPerNode,
        RunningJobs = running,
        Engine = "simulated",
        LastHeartbeatAt = now,
        HeartbeatInterval = heartbeatInterval,
    };
}
