using System.Net.Http.Json;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;
using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests;

/// <summary>
/// Real agents in network namespaces lose a node: the job that ran there comes back on another node from the copy of
/// its last checkpoint and runs on exactly once. Each test leaves at least two live nodes for the next.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class NodeLossRecoveryTests(RecoveryCluster cluster) : IClassFixture<RecoveryCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private CaasApi Api => cluster.Api;

    [Fact]
    public async Task A_job_whose_agent_is_killed_is_restored_on_another_node_from_its_last_checkpoint_and_finishes()
    {
        var (id, node, checkpoint) = await RunningJobWithCopiedCheckpointAsync("node killed", target: 1200);
        var agent = cluster.Agent(node);

        // The node dies: its agent and its job, by their PIDs.
        JobProcesses.Signal(agent.Pid, JobProcesses.SIGKILL);
        JobProcesses.KillAll(agent.DataDirectory);

        var moved = await Api.WaitForJobAsync(id, j => j.Status == JobStatus.Running && j.NodeId != node, Patience, "running on another node");
        cluster.FollowProgress(node, moved.NodeId!);
        var resumed = await Api.WaitForJobAsync(id, j => j.Progress > checkpoint.Progress, Patience, "progressing past its checkpoint");
        Assert.Equal(moved.NodeId, resumed.NodeId);
        var recovered = await WaitForIncidentAsync(id, "Recovered");
        Assert.Equal((checkpoint.Sequence, moved.NodeId), (recovered.Sequence, recovered.NodeId));
        Assert.Contains($"node {node} lost", recovered.Reason);
        Assert.Single(await IncidentsAsync(id));

        var done = await Api.WaitForJobAsync(id, j => j.Status is JobStatus.Completed or JobStatus.Failed, Patience, "finished");
        Assert.Equal((JobStatus.Completed, moved.NodeId), (done.Status, done.NodeId));
        Assert.True(done.Progress > resumed.Progress, $"finished at progress {done.Progress}, after {resumed.Progress} on the new node");
    }

    [Fact]
    public async Task An_agent_frozen_past_its_timeout_gets_its_job_restored_elsewhere_and_kills_its_stale_copy_when_it_thaws()
    {
        var (id, node, checkpoint) = await RunningJobWithCopiedCheckpointAsync("node frozen", target: CounterJob.Target);
        var agent = cluster.Agent(node);
        var stalePid = (await Api.GetJobAsync(id)).Pid!.Value;

        // A partition as the platform sees it: the agent says nothing (SIGSTOP), while its job runs on.
        JobProcesses.Signal(agent.Pid, JobProcesses.SIGSTOP);
        JobView moved;
        try
        {
            moved = await Api.WaitForJobAsync(id, j => j.Status == JobStatus.Running && j.NodeId != node, Patience, "restored on another node");
            Assert.True(IsAlive(stalePid), "the frozen node's copy ran on through the partition, as a cut-off node's would");
            Assert.Equal(2, JobProcesses.CopiesRunning(id, "counter"));
        }
        finally
        {
            JobProcesses.Signal(agent.Pid, JobProcesses.SIGCONT);
        }

        // The agent is back and reports its copy: the platform has it killed.
        await Eventually(() => !IsAlive(stalePid), "the stale copy on the returning node is killed");
        cluster.FollowProgress(node, moved.NodeId!);
        var resumed = await Api.WaitForJobAsync(id, j => j.Progress > checkpoint.Progress, Patience, "progressing past its checkpoint");
        Assert.Equal(1, JobProcesses.CopiesRunning(id, "counter"));
        Assert.Equal((JobStatus.Running, moved.NodeId, moved.Pid), (resumed.Status, resumed.NodeId, resumed.Pid));
        Assert.Equal("Recovered", (await WaitForIncidentAsync(id, "Recovered")).State);
        var events = await Api.GetEventsAsync(id);
        Assert.Contains(events, e => e.Summary.StartsWith($"node {node} lost", StringComparison.Ordinal));

        await Api.KillAsync(id);
        await Api.WaitForJobAsync(id, j => j.Status == JobStatus.Stopped, Patience, "stopped");
        await Eventually(() => JobProcesses.CopiesRunning(id, "counter") == 0, "no copy left");
    }

    /// <returns>The job, its node, and its checkpoint, once a copy of the checkpoint lies on another node.</returns>
    private async Task<(string Id, string Node, CheckpointInfo Checkpoint)> RunningJobWithCopiedCheckpointAsync(string name, int target)
    {
        var job = await Api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("counter"), args = new[] { "--target", target.ToString(), "--rate", "20" },
            name, pool = RecoveryCluster.Pool, stallThresholdSeconds = 300,
        });
        var running = await Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running with progress");
        var sequence = await Api.CheckpointAsync(job.JobId);
        var checkpoint = (await Api.WaitForJobAsync(job.JobId, j => j.Checkpoints.Any(c => c.Sequence == sequence), Patience, $"checkpoint {sequence} taken"))
            .Checkpoints.Single(c => c.Sequence == sequence);
        await Eventually(async () => (await Api.GetEventsAsync(job.JobId)).Any(e => e.Summary.StartsWith($"checkpoint {sequence} copied to node", StringComparison.Ordinal)),
            $"checkpoint {sequence} copied to another node");
        return (job.JobId, running.NodeId!, checkpoint);
    }

    private async Task<IReadOnlyList<RecoveryIncident>> IncidentsAsync(string id) =>
        (await Api.Http.GetFromJsonAsync<List<RecoveryIncident>>($"/api/v1/jobs/{id}/incidents", CaasApi.Json))!;

    private async Task<RecoveryIncident> WaitForIncidentAsync(string id, string state)
    {
        RecoveryIncident? found = null;
        await Eventually(async () => (found = (await IncidentsAsync(id)).FirstOrDefault(i => i.State == state)) is not null, $"an incident {state}");
        return found!;
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static Task Eventually(Func<bool> condition, string what) => Eventually(() => Task.FromResult(condition()), what);

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not within {Patience.TotalSeconds} s: {what}");
            await Task.Delay(250);
        }
    }
}
