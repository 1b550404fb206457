using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Component")]
public sealed class CheckpointCatalogGrainTests(MonitoringCluster cluster) : IClassFixture<MonitoringCluster>
{
    private DateTimeOffset Now => cluster.Clock.GetUtcNow();

    /// <summary>A running job on node-1 with checkpoints 1..count taken; checkpoint 3 (if any) is incremental on 2.</summary>
    private async Task<string> JobWithCheckpoints(int count)
    {
        await cluster.NodeAlive("node-1");
        var id = JobIds.New();
        var job = cluster.Job(id);
        await job.Submit(JobEvents.Spec(TimeSpan.FromSeconds(60), onStall: StallAction.AlertOnly));
        await job.RecordLaunched(new JobLaunched(id, "node-1", 4242, Now));
        for (var i = 1; i <= count; i++)
        {
            var sequence = await job.RequestCheckpoint(leaveRunning: true);
            var checkpoint = new JobEvents(id, Now).Checkpoint(0, sequence, 0.1 * i) with { ParentSequence = sequence == 3 ? 2 : null };
            await job.RecordCheckpointCompleted(new CheckpointCompleted(id, "node-1", checkpoint, Now));
        }
        return id;
    }

    [Fact]
    public async Task A_transfer_report_is_recorded_once_with_the_bytes_it_moved_even_when_redelivered()
    {
        var id = await JobWithCheckpoints(1);
        var job = cluster.Job(id);
        var transfer = new CheckpointTransferred(Guid.NewGuid(), id, 1, "node-1", "node-2", 3_000_000, TimeSpan.FromSeconds(1.5), Now);

        await job.RecordCheckpointTransferred(transfer);
        await job.RecordCheckpointTransferred(transfer);
        await job.RecordCheckpointTransferred(transfer with { TransferId = Guid.NewGuid(), Sequence = 9 });

        Assert.Single(await cluster.StoredTypes(id), "CheckpointMoved");
        var queries = cluster.Silo.GetRequiredService<IJobQueries>();
        var entry = await Eventually(async () => (await queries.ListCheckpointsAsync(new CheckpointCatalogFilter { JobId = id }, 0, 10)).Items.Single(), e => e.BytesMoved > 0);
        Assert.Equal(3_000_000, entry.BytesMoved);
    }

    [Fact]
    public async Task Verify_now_tells_the_holding_agent_and_records_what_it_reports()
    {
        var id = await JobWithCheckpoints(2);
        var job = cluster.Job(id);

        await job.RequestCheckpointVerification(1);
        var command = await cluster.Tap.WaitFor<VerifyCheckpoint>(m => m.JobId == id, queue: "agent-node-1");
        await job.RecordCheckpointVerificationEnded(new CheckpointVerificationEnded(id, "node-1", 1, true, null, Now));
        await job.RequestCheckpointVerification(2);
        await job.RecordCheckpointVerificationEnded(new CheckpointVerificationEnded(id, "node-1", 2, false, "the test restore exited with code 1 before it showed any sign of life", Now));

        Assert.Equal(("node-1", 1), (command.NodeId, command.Sequence));
        var types = await cluster.StoredTypes(id);
        Assert.Equal(["CheckpointVerificationRequested", "CheckpointVerified", "CheckpointVerificationRequested", "CheckpointVerificationFailed"], types.TakeLast(4));
    }

    [Fact]
    public async Task Verify_and_delete_of_a_checkpoint_the_job_does_not_have_are_not_found_and_record_nothing()
    {
        var id = await JobWithCheckpoints(1);
        var before = await cluster.StoredTypes(id);

        var verify = await Assert.ThrowsAsync<OperationRejectedException>(() => cluster.Job(id).RequestCheckpointVerification(7));
        var delete = await Assert.ThrowsAsync<OperationRejectedException>(() => cluster.Job(id).RequestCheckpointDeletion(7));

        Assert.Equal((RejectionKind.NotFound, $"Job {id} has no checkpoint 7."), (verify.Kind, verify.Message));
        Assert.Equal(RejectionKind.NotFound, delete.Kind);
        Assert.Equal(before, await cluster.StoredTypes(id));
    }

    [Fact]
    public async Task Deleting_the_newest_verified_or_a_parent_is_a_conflict_and_sends_nothing()
    {
        var id = await JobWithCheckpoints(3);
        var job = cluster.Job(id);
        await job.RecordCheckpointVerificationEnded(new CheckpointVerificationEnded(id, "node-1", 1, true, null, Now));

        var newestVerified = await Assert.ThrowsAsync<OperationRejectedException>(() => job.RequestCheckpointDeletion(1));
        var parent = await Assert.ThrowsAsync<OperationRejectedException>(() => job.RequestCheckpointDeletion(2));

        Assert.Equal(RejectionKind.Conflict, newestVerified.Kind);
        Assert.Contains("never deleted", newestVerified.Message);
        Assert.Equal(RejectionKind.Conflict, parent.Kind);
        Assert.Equal($"checkpoint 2 of job {id} is the parent of checkpoint 3, which cannot be restored without it", parent.Message);
        Assert.Empty(cluster.Tap.All<DeleteCheckpoint>(m => m.JobId == id));
    }

    [Fact]
    public async Task A_deletion_is_recorded_when_the_agent_reports_the_bundle_gone_and_the_checkpoint_is_no_longer_restorable()
    {
        var id = await JobWithCheckpoints(3);
        var job = cluster.Job(id);

        await job.RequestCheckpointDeletion(3);
        var command = await cluster.Tap.WaitFor<DeleteCheckpoint>(m => m.JobId == id, queue: "agent-node-1");
        Assert.Equal(3, (await job.GetView())!.Checkpoints.Count);
        await job.RecordCheckpointsPruned(new CheckpointsPruned(id, "node-1", [command.Sequence], CheckpointRemoval.Operator, "deleted by an operator", Now));
        await job.RecordCheckpointsPruned(new CheckpointsPruned(id, "node-1", [1, 99], CheckpointRemoval.Retention, "beyond the last 5 checkpoints", Now));

        Assert.Equal([2], (await job.GetView())!.Checkpoints.Select(c => c.Sequence));
        Assert.Equal(["CheckpointDeleted", "CheckpointDeleted"], (await cluster.StoredTypes(id)).TakeLast(2));
        var restore = await Assert.ThrowsAsync<OperationRejectedException>(() => job.RequestRestore(3, "test"));
        Assert.Equal(RejectionKind.NotFound, restore.Kind);
    }

    /// <summary>The catalog follows the store through a subscription: wait for it, with a deadline.</summary>
    private static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> accept)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var value = await read();
            if (accept(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Still {value} after 15 s.");
            await Task.Delay(50);
        }
    }
}
