using System.Diagnostics;
using System.Globalization;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;
using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests;

/// <summary>
/// Real agents in network namespaces, a real CPU-bound job (cruncher): once it has learned its pace, CPU hogs pinned to
/// its core starve it on its node; its policy (onStarvation: MigratePool) checkpoints it and brings it back on the node
/// of the other pool, where it runs alone at its pace again, one copy only.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class StarvationMoveTests(PolicyMoveCluster cluster) : IClassFixture<PolicyMoveCluster>
{
    private const int Hogs = 8;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private CaasApi Api => cluster.Api;

    [Fact]
    public async Task A_job_starved_of_cpu_on_its_node_is_moved_by_its_policy_to_the_other_pool_and_runs_there_once()
    {
        var job = await Api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("cruncher"), args = new[] { "--units", "1000000", "--unit-work", "2000000" },
            name = "starvation move", pool = PolicyMoveCluster.HomePool, starvationWindowSeconds = Window.TotalSeconds,
            // Half its learned pace: on a machine already busy with other work the job learns a modest pace.
            starvationRatio = 0.5,
            policy = new
            {
                onStarvation = "MigratePool", allowCrossPool = true, allowedPools = new[] { PolicyMoveCluster.HomePool, PolicyMoveCluster.OtherPool },
                cooldownSeconds = 0,
            },
        });
        var running = await Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running with progress");
        var home = running.NodeId!;
        // A policy moves only a job with a checkpoint to fall back on (the move itself takes one more, at the incident).
        var earlier = await Api.CheckpointAsync(job.JobId);
        await Api.WaitForJobAsync(job.JobId, j => j.Checkpoints.Any(c => c.Sequence == earlier), Patience, $"checkpoint {earlier} taken");
        // Two windows to learn its pace, and a margin for the first heartbeats.
        await Task.Delay(Window * 2 + TimeSpan.FromSeconds(2));

        JobView moved;
        using (var hogs = CpuHogs.OnTheCoreOf(running.Pid!.Value, Hogs))
            moved = await Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.NodeId != home, Patience, "running on another node");

        Assert.Equal("pm-b1", moved.NodeId);
        var events = await Api.GetEventsAsync(job.JobId);
        Assert.Contains(events, e => e.Type == "JobStarved");
        // The restored job reports to the socket path in its image, its old node's (see PolicyMoveTests).
        cluster.FollowProgress(home, moved.NodeId!);
        var incident = await Api.WaitForIncidentAsync(job.JobId, "Recovered", Patience);
        Assert.Equal("pm-b1", incident.NodeId);
        Assert.True(incident.Sequence > earlier, $"restored checkpoint {incident.Sequence}, not the one taken at the incident");
        Assert.Equal(1, JobProcesses.CopiesRunning(job.JobId, "cruncher"));

        await Api.KillAsync(job.JobId);
        await Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Stopped, Patience, "stopped");
    }

    /// <summary>
    /// Busy loops pinned, with the job, to one core: the job gets a fraction of the CPU it learned its pace with. A CPU
    /// hog beside the job is what starves jobs on shared nodes; a cgroup quota would travel with the job's image.
    /// </summary>
    private sealed class CpuHogs : IDisposable
    {
        private readonly List<Process> _hogs = [];

        public static CpuHogs OnTheCoreOf(int pid, int count)
        {
            var hogs = new CpuHogs();
            Run("taskset", "-a", "-p", "-c", "0", pid.ToString(CultureInfo.InvariantCulture));
            for (var i = 0; i < count; i++)
            {
                // A session each: with autogroup scheduling, processes of one session share one CPU share between them.
                var start = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var argument in new[] { "taskset", "-c", "0", "sh", "-c", "while :; do :; done" })
                    start.ArgumentList.Add(argument);
                hogs._hogs.Add(Process.Start(start)!);
            }
            return hogs;
        }

        public void Dispose()
        {
            foreach (var hog in _hogs)
            {
                if (!hog.HasExited)
                    hog.Kill();
                hog.WaitForExit();
                hog.Dispose();
            }
        }

        private static void Run(string file, params string[] arguments)
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments)
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {error}");
        }
    }
}
