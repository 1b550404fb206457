using System.Globalization;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;
using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests;

/// <summary>
/// Real agents in network namespaces, a real counter: a job whose policy migrates it on a stall, and prefers another pool,
/// is checkpointed in stop mode at the incident and comes back in the preferred pool from that checkpoint, so it loses
/// none of the work it did after its last earlier checkpoint; exactly one copy runs afterwards.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class PolicyMoveTests(PolicyMoveCluster cluster) : IClassFixture<PolicyMoveCluster>
{
    private const int Target = CounterJob.Target;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private CaasApi Api => cluster.Api;

    [Fact]
    public async Task A_job_its_policy_migrates_on_a_stall_is_checkpointed_at_the_incident_and_resumes_in_the_preferred_pool_from_there()
    {
        var job = await Api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("counter"), args = new[] { "--target", Target.ToString(CultureInfo.InvariantCulture), "--rate", "20" },
            name = "policy move", pool = PolicyMoveCluster.HomePool, stallThresholdSeconds = 4,
            policy = new
            {
                onStall = "Migrate", allowCrossPool = true, allowedPools = new[] { PolicyMoveCluster.HomePool, PolicyMoveCluster.OtherPool },
                preferredPools = new[] { PolicyMoveCluster.OtherPool }, cooldownSeconds = 0,
            },
        });
        var running = await Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running with progress");
        var home = running.NodeId!;
        var earlier = await Api.CheckpointAsync(job.JobId);
        var before = (await Api.WaitForJobAsync(job.JobId, j => j.Checkpoints.Any(c => c.Sequence == earlier), Patience, $"checkpoint {earlier} taken"))
            .Checkpoints.Single(c => c.Sequence == earlier);
        // The job goes on counting after that checkpoint: work a restore from it would lose.
        await Api.WaitForJobAsync(job.JobId, j => j.Progress >= before.Progress + 40.0 / Target, Patience, "counting past the earlier checkpoint");

        // The node stops passing the job's progress on: the job counts on, but stalls as the platform sees it, and its
        // policy moves it.
        JobView moved;
        await using (var _ = ProgressBlackHole.Over(cluster.ProgressSocketOf(home)))
            moved = await Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.NodeId != home, Patience, "running on another node");
        Assert.Equal("pm-b1", moved.NodeId);
        // What the job had counted when it was stopped for the move: the last line it printed on its old node.
        var countAtIncident = LastCount(StdoutOf(home, job.JobId));
        Assert.True(countAtIncident / (double)Target > before.Progress, $"counted {countAtIncident} at the incident, no more than at checkpoint {earlier}");

        // The restored job reports to the socket path in its image, its old node's: on real hosts every agent has that
        // path; here they share one file system, so the new node's socket is put in its place for the rest of the test.
        var homeSocket = cluster.ProgressSocketOf(home);
        File.Move(homeSocket, homeSocket + ".home");
        File.CreateSymbolicLink(homeSocket, cluster.ProgressSocketOf(moved.NodeId!));
        try
        {
            await AssertResumedFromTheIncidentAsync(job.JobId, earlier, countAtIncident);
        }
        finally
        {
            File.Delete(homeSocket);
            File.Move(homeSocket + ".home", homeSocket);
        }

        await Api.KillAsync(job.JobId);
        await Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Stopped, Patience, "stopped");
    }

    private async Task AssertResumedFromTheIncidentAsync(string jobId, int earlier, long countAtIncident)
    {
        var incident = await Api.WaitForIncidentAsync(jobId, "Recovered", Patience);
        var timeline = string.Join("\n", (await Api.GetEventsAsync(jobId)).Reverse().Where(e => e.Type is not ("HeartbeatRecorded" or "ProgressReported")).Select(e => $"{e.Type}: {e.Summary}"));
        Assert.True(incident.Sequence > earlier, $"restored checkpoint {incident.Sequence}, not one taken at the incident:\n{timeline}\n{string.Join("\n", incident.Steps.Select(s => $"{s.Name}: {s.Detail}"))}");
        var taken = (await Api.GetJobAsync(jobId)).Checkpoints.Single(c => c.Sequence == incident.Sequence);
        Assert.False(taken.LeaveRunning);
        Assert.Contains(incident.Steps, s => s.Name == "checkpoint" && s.Detail.StartsWith($"checkpoint {taken.Sequence} taken from the running job", StringComparison.Ordinal));
        // The first progress the restored job reported: it went on from the count at the incident, not from the earlier checkpoint.
        Assert.True(incident.ResumedProgress >= countAtIncident / (double)Target,
            $"resumed at {incident.ResumedProgress}, below the {countAtIncident} counted at the incident");
        Assert.Equal(1, JobProcesses.CopiesRunning(jobId, "counter"));
    }

    private string StdoutOf(string nodeId, string jobId) =>
        Directory.EnumerateFiles(cluster.Agent(nodeId).DataDirectory, "stdout.log", SearchOption.AllDirectories)
            .Single(p => Path.GetFileName(Path.GetDirectoryName(p)) == jobId);

    private static long LastCount(string stdout) =>
        File.ReadLines(stdout).Where(l => l.StartsWith("count ", StringComparison.Ordinal)).Select(l => long.Parse(l[6..], CultureInfo.InvariantCulture)).Last();
}
