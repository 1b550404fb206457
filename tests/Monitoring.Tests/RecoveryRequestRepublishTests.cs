using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Orleans.Core.Internal;
using Orleans.Runtime;

namespace Caas.Monitoring.Tests;

/// <summary>
/// A restore is recorded before recovery is asked for it, so a host that dies in between leaves a job restoring with
/// nobody restoring it. The request is in the stream: the job grain publishes it again when it activates, until the
/// restore is answered. Recovery keys incidents by id, so a request that did arrive is not acted on twice.
/// </summary>
[Trait("Category", "Component")]
public sealed class RecoveryRequestRepublishTests(MonitoringCluster cluster) : IClassFixture<MonitoringCluster>
{
    private DateTimeOffset Now => cluster.Clock.GetUtcNow();

    private async Task Reactivate(string id)
    {
        await cluster.Client.GetGrain<IGrainManagementExtension>(cluster.Job(id).GetGrainId()).DeactivateOnIdle();
        await cluster.Job(id).GetView();
    }

    private async Task<IReadOnlyList<RecoveryRequested>> RequestsFor(string id, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (cluster.Tap.All<RecoveryRequested>(m => m.JobId == id).Count < count && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        return cluster.Tap.All<RecoveryRequested>(m => m.JobId == id);
    }

    [Fact]
    public async Task An_unanswered_restore_is_requested_again_on_activation_with_the_same_incident_and_no_more_once_it_is_restored()
    {
        await cluster.NodeAlive("node-1");
        var id = JobIds.New();
        var job = cluster.Job(id);
        await job.Submit(JobEvents.Spec(TimeSpan.FromHours(1)));
        await job.RecordLaunched(new JobLaunched(id, "node-1", 4242, Now));
        await job.RequestCheckpoint(leaveRunning: true);
        await job.RecordCheckpointCompleted(new CheckpointCompleted(id, "node-1", new JobEvents(id, Now).Checkpoint(0, 1, 0.5), Now));
        var incident = await job.RequestRestore(1, "user asked");
        var first = Assert.Single(await RequestsFor(id, 1));

        await Reactivate(id);

        var requests = await RequestsFor(id, 2);
        Assert.Equal(2, requests.Count);
        var again = requests[1];
        Assert.Equal((incident, first.Sequence, first.NodeId, first.Epoch, first.Reason), (again.IncidentId, again.Sequence, again.NodeId, again.Epoch, again.Reason));

        await job.RecordRestoreCompleted(new RestoreCompleted(id, "node-1", incident, 1, 5151, Now));
        await Reactivate(id);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(2, cluster.Tap.All<RecoveryRequested>(m => m.JobId == id).Count);
    }
}
