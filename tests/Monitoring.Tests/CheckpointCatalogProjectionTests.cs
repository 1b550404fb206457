using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;
using Caas.Monitoring.Grains;
using Caas.Monitoring.Grains.ReadModels;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class CheckpointCatalogProjectionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly JobListProjection _jobs = new();
    private readonly CheckpointCatalogProjection _catalog = new();
    private long _position;

    private void Feed(params IJobEvent[] events)
    {
        foreach (var e in events)
        {
            if (_jobs.Apply(e, ++_position) is { } job)
                _catalog.Apply(e, job);
        }
    }

    private static readonly CheckpointCatalogFilter Everything = new();

    private JobEvents RunningJob(string id, double submittedAt)
    {
        var job = new JobEvents(id, T0.AddMinutes(submittedAt));
        Feed(job.Submitted(), job.Placed(), job.Started());
        return job;
    }

    [Fact]
    public void A_checkpoint_adds_up_the_bytes_its_transfers_moved_and_keeps_its_newest_restores_time()
    {
        var a = RunningJob("job-00000000a1", 0);
        Feed(a.CheckpointTaken(10, 1, 0.1) with { Checkpoint = a.Checkpoint(10, 1, 0.1) with { Dump = TimeSpan.FromSeconds(0.3) } },
            new CheckpointMoved(a.JobId, Guid.NewGuid(), 1, "node-1", "node-2", 1000, TimeSpan.FromSeconds(1), a.At(20)),
            new CheckpointMoved(a.JobId, Guid.NewGuid(), 1, "node-2", "node-3", 500, TimeSpan.FromSeconds(1), a.At(30)),
            a.Restored(40, Guid.NewGuid(), 1) with { Duration = TimeSpan.FromSeconds(2) },
            a.Restored(50, Guid.NewGuid(), 1) with { Duration = TimeSpan.FromSeconds(0.7) });

        var entry = Assert.Single(_catalog.List(Everything, 0, 10).Items);

        Assert.Equal((1500L, TimeSpan.FromSeconds(0.7), TimeSpan.FromSeconds(0.3)), (entry.BytesMoved, entry.RestoreDuration, entry.Checkpoint.Dump));
    }

    [Fact]
    public void Checkpoints_of_all_jobs_are_listed_newest_first_with_their_record()
    {
        var a = RunningJob("job-00000000a1", 0);
        var b = RunningJob("job-00000000b2", 0);
        Feed(a.CheckpointTaken(10, 1, 0.1), b.CheckpointTaken(20, 1, 0.5, node: "node-2"), a.CheckpointTaken(30, 2, 0.3) with
        {
            Checkpoint = a.Checkpoint(30, 2, 0.3) with { ParentSequence = 1, Pool = "onprem" },
        });

        var page = _catalog.List(Everything, 0, 10);

        Assert.Equal(3, page.Total);
        Assert.Equal([("job-00000000a1", 2), ("job-00000000b2", 1), ("job-00000000a1", 1)], page.Items.Select(c => (c.JobId, c.Sequence)));
        var newest = page.Items[0];
        Assert.Equal((1, "onprem", 3_250_000L, 0.3, "sleep"), (newest.Checkpoint.ParentSequence, newest.Checkpoint.Pool, newest.Checkpoint.SizeBytes, newest.Checkpoint.Progress, newest.JobName));
        Assert.All(page.Items, c => Assert.Equal(CheckpointVerification.Unverified, c.Verification));
        Assert.All(page.Items, c => Assert.True(c.Exists));
    }

    [Fact]
    public void Verification_moves_from_requested_to_verified_or_failed_with_its_time_and_reason()
    {
        var job = RunningJob("job-00000000c3", 0);
        Feed(job.CheckpointTaken(10, 1, 0.1), job.CheckpointTaken(20, 2, 0.2));

        Feed(new CheckpointVerificationRequested(job.JobId, 1, job.At(30)), new CheckpointVerificationRequested(job.JobId, 2, job.At(31)));
        Assert.All(_catalog.List(Everything, 0, 10).Items, c => Assert.Equal(CheckpointVerification.Verifying, c.Verification));

        Feed(new CheckpointVerified(job.JobId, 1, "node-1", job.At(35)),
            new CheckpointVerificationFailed(job.JobId, 2, "node-1", "checkpoint 2 refused: file pages-1.img was changed", job.At(36)));

        var byStatus = _catalog.List(Everything, 0, 10).Items.ToDictionary(c => c.Sequence);
        Assert.Equal((CheckpointVerification.Verified, job.At(35), (string?)null), (byStatus[1].Verification, byStatus[1].VerifiedAt, byStatus[1].VerificationProblem));
        Assert.Equal((CheckpointVerification.Failed, job.At(36), "checkpoint 2 refused: file pages-1.img was changed"), (byStatus[2].Verification, byStatus[2].VerifiedAt, byStatus[2].VerificationProblem));
    }

    [Fact]
    public void Deleted_and_pruned_checkpoints_stay_listed_as_removed_unless_filtered_out()
    {
        var job = RunningJob("job-00000000d4", 0);
        Feed(job.CheckpointTaken(10, 1, 0.1), job.CheckpointTaken(20, 2, 0.2), job.CheckpointTaken(30, 3, 0.3));

        Feed(new CheckpointDeleted(job.JobId, 1, "node-1", CheckpointRemoval.Retention, "beyond the last 2 checkpoints", job.At(31)),
            new CheckpointDeleted(job.JobId, 2, "node-1", CheckpointRemoval.Operator, "deleted by an operator", job.At(32)));

        var all = _catalog.List(Everything, 0, 10).Items.ToDictionary(c => c.Sequence);
        Assert.Equal((CheckpointRemoval.Retention, "beyond the last 2 checkpoints"), (all[1].Removal, all[1].RemovalReason));
        Assert.Equal((CheckpointRemoval.Operator, job.At(32)), (all[2].Removal, all[2].RemovedAt));
        Assert.True(all[3].Exists);
        Assert.Equal([3], _catalog.List(new CheckpointCatalogFilter { IncludeRemoved = false }, 0, 10).Items.Select(c => c.Sequence));
    }

    [Fact]
    public void The_catalog_filters_by_job_node_and_verification_and_pages()
    {
        var a = RunningJob("job-00000000e5", 0);
        var b = RunningJob("job-00000000f6", 0);
        for (var s = 1; s <= 4; s++)
        {
            Feed(a.CheckpointTaken(s * 10, s, 0.1 * s), b.CheckpointTaken(s * 10 + 1, s, 0.1 * s, node: "node-2"));
        }
        Feed(new CheckpointVerified(b.JobId, 3, "node-2", b.At(50)));

        var ofA = _catalog.List(new CheckpointCatalogFilter { JobId = a.JobId }, 1, 2);
        Assert.Equal(4, ofA.Total);
        Assert.Equal([3, 2], ofA.Items.Select(c => c.Sequence));
        Assert.All(_catalog.List(new CheckpointCatalogFilter { NodeId = "node-2" }, 0, 10).Items, c => Assert.Equal(b.JobId, c.JobId));
        var verified = _catalog.List(new CheckpointCatalogFilter { Verification = CheckpointVerification.Verified }, 0, 10);
        Assert.Equal([(b.JobId, 3)], verified.Items.Select(c => (c.JobId, c.Sequence)));
    }

    [Fact]
    public void Deleting_a_checkpoint_is_refused_for_the_newest_verified_one_and_for_a_parent_of_another()
    {
        var events = new JobEvents("job-00000000a7", T0);
        var job = new JobState();
        foreach (var e in new IJobEvent[]
        {
            events.Submitted(), events.Placed(), events.Started(),
            events.CheckpointTaken(10, 1, 0.1), events.CheckpointTaken(20, 2, 0.2), events.CheckpointTaken(30, 3, 0.3),
            events.CheckpointTaken(40, 4, 0.4) with { Checkpoint = events.Checkpoint(40, 4, 0.4) with { ParentSequence = 3 } },
            new CheckpointVerified(events.JobId, 1, "node-1", events.At(41)),
            new CheckpointVerified(events.JobId, 2, "node-1", events.At(42)),
        })
            job.Apply(e);

        Assert.Equal("checkpoint 2 is the newest verified checkpoint of job job-00000000a7; the last verified one is never deleted (verify a newer one first)",
            CheckpointDeletion.RefusalFor(job, 2));
        Assert.Equal("checkpoint 3 of job job-00000000a7 is the parent of checkpoint 4, which cannot be restored without it", CheckpointDeletion.RefusalFor(job, 3));
        Assert.Null(CheckpointDeletion.RefusalFor(job, 1));
        Assert.Null(CheckpointDeletion.RefusalFor(job, 4));

        job.Apply(new CheckpointVerificationFailed(events.JobId, 2, "node-1", "did not come to life", events.At(50)));
        Assert.Equal(1, job.NewestVerifiedCheckpoint);
        job.Apply(new CheckpointDeleted(events.JobId, 4, "node-1", CheckpointRemoval.Operator, "deleted by an operator", events.At(51)));
        Assert.Null(CheckpointDeletion.RefusalFor(job, 3));
        Assert.Null(job.FindCheckpoint(4));
    }
}
