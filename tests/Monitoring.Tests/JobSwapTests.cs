using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Tests;

/// <summary>
/// Swap-out and swap-in through the real grains and bus on a one-slot node; the agent is a recorder, so its checkpoint,
/// launch and exit reports are played here.
/// </summary>
[Trait("Category", "Component")]
public sealed class JobSwapTests(MonitoringCluster cluster) : IClassFixture<MonitoringCluster>
{
    private const string Node = "node-1";
    private const string Pool = "swap-a";
    private static readonly string NodeQueue = AgentAddress.QueueName(Node);
    private DateTimeOffset Now => cluster.Clock.GetUtcNow();

    private Task NodeWith(int running) => cluster.NodeAlive(Node, Pool, slots: 1, running: running);

    private static JobSpec Spec(int priority) => new() { Command = "/usr/bin/sleep", Args = ["600"], Pool = Pool, Priority = priority };

    private async Task WaitUntil(string jobId, Func<Contracts.Views.JobView, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition((await cluster.Job(jobId).GetView())!))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{jobId} did not become {what}: {await cluster.Job(jobId).GetView()}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_higher_priority_job_swaps_the_running_one_out_and_it_swaps_back_in_from_its_checkpoint_when_the_slot_frees()
    {
        await NodeWith(running: 0);
        var low = JobIds.New();
        Assert.Equal(Node, (await cluster.Job(low).Submit(Spec(priority: 0))).NodeId);
        await cluster.Job(low).RecordLaunched(new JobLaunched(low, Node, 4242, Now));
        await NodeWith(running: 1);

        var high = JobIds.New();
        var queued = await cluster.Job(high).Submit(Spec(priority: 5));
        Assert.Equal((JobStatus.Queued, null), (queued.Status, queued.NodeId));

        // The low job is checkpointed in stop mode, and swapped out once that checkpoint is taken.
        var checkpoint = await cluster.Tap.WaitFor<CheckpointJob>(c => c.JobId == low, NodeQueue, seconds: 20);
        Assert.False(checkpoint.LeaveRunning);
        await WaitUntil(high, v => v.StatusReason?.Contains($"job {low} (priority 0) is being swapped out of node {Node}") == true, "waiting for the swap-out");
        await cluster.Job(low).RecordCheckpointCompleted(new CheckpointCompleted(low, Node,
            new JobEvents(low, Now).Checkpoint(0, checkpoint.Sequence, 0.4, Node, leaveRunning: false), Now));
        var swapped = (await cluster.Job(low).GetView())!;
        Assert.Equal((JobStatus.Stopped, true, high, false), (swapped.Status, swapped.SwappedOut, swapped.SwappedOutFor, swapped.Suspended));
        Assert.Equal($"swapped out to checkpoint {checkpoint.Sequence}: job {high} (priority 5) took its slot on node {Node}; this job's priority is 0", swapped.StatusReason);

        // The slot frees: the high job takes it, and the low one stays out while the high one runs.
        await NodeWith(running: 0);
        await cluster.Tap.WaitFor<LaunchJob>(l => l.JobId == high, NodeQueue, seconds: 20);
        await cluster.Job(high).RecordLaunched(new JobLaunched(high, Node, 4343, Now));
        await NodeWith(running: 1);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Empty(cluster.Tap.All<RecoveryRequested>(r => r.JobId == low));
        Assert.True((await cluster.Job(low).GetView())!.SwappedOut);

        // The high job completes: the low one swaps back in from its swap-out checkpoint.
        await cluster.Job(high).RecordExited(new JobProcessExited(high, Node, 0, null, Now));
        await NodeWith(running: 0);
        var restore = await cluster.Tap.WaitFor<RecoveryRequested>(r => r.JobId == low, seconds: 20);
        Assert.Equal((Node, checkpoint.Sequence, 0.4, null), (restore.NodeId, restore.Sequence, restore.CheckpointProgress, restore.CheckpointNodeId));
        var back = (await cluster.Job(low).GetView())!;
        Assert.Equal((JobStatus.Restoring, false, null), (back.Status, back.SwappedOut, back.SwappedOutFor));
        Assert.Contains("JobSwapOutRequested", await cluster.StoredTypes(low));
        Assert.Contains("JobSwappedIn", await cluster.StoredTypes(low));
    }

    [Fact]
    public async Task A_job_of_equal_priority_waits_in_the_queue_and_says_why()
    {
        const string node = "node-2";
        await cluster.NodeAlive(node, "swap-b", slots: 1, running: 0);
        var first = JobIds.New();
        await cluster.Job(first).Submit(Spec(priority: 3) with { Pool = "swap-b" });
        await cluster.Job(first).RecordLaunched(new JobLaunched(first, node, 4444, Now));
        await cluster.NodeAlive(node, "swap-b", slots: 1, running: 1);

        var second = JobIds.New();
        await cluster.Job(second).Submit(Spec(priority: 3) with { Pool = "swap-b" });

        await WaitUntil(second, v => v.StatusReason?.Contains("nothing to swap out: no running job has a priority below 3") == true, "told why it waits");
        Assert.Empty(cluster.Tap.AllOn<CheckpointJob>(AgentAddress.QueueName(node), c => c.JobId == first));
    }
}
