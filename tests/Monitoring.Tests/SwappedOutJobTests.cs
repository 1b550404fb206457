using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Microsoft.Extensions.DependencyInjection;
using Caas.Monitoring.Grains.Swap;

namespace Caas.Monitoring.Tests;

/// <summary>
/// What may happen to a job around a swap: a swapped-out job can be killed (it stops, leaves the swap-in line, keeps its
/// checkpoints), and a job restored but not yet seen to progress is not swapped out mid-restore.
/// </summary>
[Trait("Category", "Component")]
public sealed class SwappedOutJobTests(MonitoringCluster cluster) : IClassFixture<MonitoringCluster>
{
    private const string Node = "node-9";
    private const string Pool = "swap-k";
    private static readonly string NodeQueue = AgentAddress.QueueName(Node);
    private DateTimeOffset Now => cluster.Clock.GetUtcNow();

    private Task NodeWith(int running) => cluster.NodeAlive(Node, Pool, slots: 1, running: running);

    private static JobSpec Spec(int priority) => new() { Command = "/usr/bin/sleep", Args = ["600"], Pool = Pool, Priority = priority };

    private async Task<string> Running(int priority, int pid)
    {
        var id = JobIds.New();
        Assert.Equal(Node, (await cluster.Job(id).Submit(Spec(priority))).NodeId);
        await cluster.Job(id).RecordLaunched(new JobLaunched(id, Node, pid, Now));
        return id;
    }

    /// <summary>The pool's jobs the read model lists with that swapped-out state, once it has caught up to <paramref name="expected"/> of them.</summary>
    private async Task<IReadOnlyList<string>> ListedAsync(bool swappedOut, int expected)
    {
        var queries = cluster.Silo.GetRequiredService<IJobQueries>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var page = await queries.ListJobsAsync(new JobListQuery { Pool = Pool, SwappedOut = swappedOut });
            if (page.Items.Count >= expected || DateTime.UtcNow > deadline)
                return page.Items.Select(j => j.JobId).ToArray();
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_swapped_out_job_can_be_killed_it_stops_keeps_its_checkpoint_and_does_not_swap_back_in()
    {
        await NodeWith(running: 0);
        var low = await Running(priority: 0, pid: 4242);
        await NodeWith(running: 1);
        var high = JobIds.New();
        await cluster.Job(high).Submit(Spec(priority: 5));
        var checkpoint = await cluster.Tap.WaitFor<CheckpointJob>(c => c.JobId == low, NodeQueue, seconds: 20);
        await cluster.Job(low).RecordCheckpointCompleted(new CheckpointCompleted(low, Node,
            new JobEvents(low, Now).Checkpoint(0, checkpoint.Sequence, 0.4, Node, leaveRunning: false), Now));
        Assert.True((await cluster.Job(low).GetView())!.SwappedOut);
        // The job list finds swapped-out jobs (the API's ?swappedOut=true), and only them.
        Assert.Equal([low], await ListedAsync(swappedOut: true, expected: 1));
        Assert.DoesNotContain(low, await ListedAsync(swappedOut: false, expected: 1));

        await cluster.Job(low).RequestKill("not needed any more");

        var killed = (await cluster.Job(low).GetView())!;
        Assert.Equal((JobStatus.Stopped, false, false, null), (killed.Status, killed.SwappedOut, killed.Suspended, killed.SwappedOutFor));
        Assert.Equal("not needed any more while swapped out; its checkpoints are kept", killed.StatusReason);
        Assert.Equal([checkpoint.Sequence], killed.Checkpoints.Select(c => c.Sequence));
        Assert.Empty(cluster.Tap.All<KillJob>(k => k.JobId == low));

        // The slot frees: nothing of the killed job comes back.
        await NodeWith(running: 0);
        await cluster.Job(high).RecordLaunched(new JobLaunched(high, Node, 4343, Now));
        await cluster.Job(high).RecordExited(new JobProcessExited(high, Node, 0, null, Now));
        await NodeWith(running: 0);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Empty(cluster.Tap.All<RecoveryRequested>(r => r.JobId == low));
        Assert.Equal(JobStatus.Stopped, (await cluster.Job(low).GetView())!.Status);
    }

    [Fact]
    public async Task A_job_restored_but_not_yet_seen_to_progress_is_not_swapped_out_until_it_is()
    {
        await NodeWith(running: 0);
        var id = await Running(priority: 0, pid: 5151);
        var job = cluster.Job(id);
        var sequence = await job.RequestCheckpoint(leaveRunning: true);
        await job.RecordCheckpointCompleted(new CheckpointCompleted(id, Node, new JobEvents(id, Now).Checkpoint(0, sequence, 0.5, Node), Now));
        var incident = await job.RequestRestore(sequence, "user asked");
        await job.RecordRestoreCompleted(new RestoreCompleted(id, Node, incident, sequence, 6161, Now));
        var swappable = cluster.Client.GetGrain<ISwappableJobGrain>(id);

        Assert.False(await swappable.SwapOut("job-00000000ee", 9));
        Assert.Empty(cluster.Tap.All<CheckpointJob>(c => c.JobId == id && c.Sequence > sequence));

        await job.RecordHeartbeat(Node, new JobSample { JobId = id, Pid = 6161, State = "S", CpuSeconds = 1, RssBytes = 8 << 20, Progress = 0.5 }, Now);
        Assert.True(await swappable.SwapOut("job-00000000ee", 9));
        Assert.False((await cluster.Tap.WaitFor<CheckpointJob>(c => c.JobId == id && c.Sequence > sequence, NodeQueue)).LeaveRunning);
    }
}
