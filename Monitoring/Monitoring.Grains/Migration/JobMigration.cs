using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Migration;

/// <summary>
/// Migration built from the platform's existing operations: a checkpoint that stops the job, the image sent from its
/// node to the target (TransferCheckpoint), then a restore on the target through the recovery saga. The target is
/// checked before anything changes. What follows the checkpoint runs in the background of the silo that started it
/// (<see cref="JobMigrationGrain"/>; the bus is there, and a web host may die meanwhile): if the transfer fails the job
/// is restored where it was; if that silo stops midway the job stays suspended (shown so, and resumable), never lost.
/// </summary>
public sealed class JobMigration(IGrainFactory grains, IBus bus, TransferOutcomes transfers, TimeProvider time, ILogger<JobMigration> logger) : IJobMigrations
{
    /// <summary>How long each step (checkpoint, transfer) may take before the migration gives up on it.</summary>
    public static TimeSpan StepTimeout { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>How often the checkpoint is looked for: a 1 GiB move takes seconds, and every poll's wait is downtime of the job (one local grain call each).</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public async Task<MigrationStarted> MigrateAsync(string jobId, string? nodeId, string? pool, CancellationToken cancellationToken = default)
    {
        if ((nodeId is null) == (pool is null))
            throw new OperationRejectedException(RejectionKind.Invalid, "Name either a node or a pool to migrate to, not both and not neither.");
        var job = JobIds.IsValid(jobId) ? grains.GetGrain<IJobGrain>(jobId) : null;
        var view = job is null ? null : await job.GetView();
        if (job is null || view is null)
            throw new OperationRejectedException(RejectionKind.NotFound, $"No job has id '{jobId}'.");
        if (view.Status != JobStatus.Running || view.NodeId is not { } source)
            throw new OperationRejectedException(RejectionKind.Conflict, $"Job {jobId} is {view.Status}: only a running job can be migrated (a suspended one resumes where it was).");
        var nodes = await grains.GetGrain<INodeDirectoryGrain>(0).List();
        if (view.Spec.Ranks is { } ranks)
            return await MigrateRanksAsync(jobId, view, source, ranks, nodeId, pool!, nodes);
        var target = MigrationTargets.Choose(view, source, nodeId, pool, nodes);
        var sequence = await job.RequestCheckpoint(leaveRunning: false);
        logger.LogInformation("Migrating job {JobId} from {Source} to {Target} through checkpoint {Sequence}", jobId, source, target.NodeId, sequence);
        _ = Task.Run(() => ContinueAsync(job, jobId, sequence, source, target.NodeId), CancellationToken.None);
        return new MigrationStarted(jobId, source, target.NodeId, sequence);
    }

    /// <summary>
    /// A distributed job moves whole to another pool: a coordinated checkpoint that stops every rank, then a restore of
    /// every rank on nodes of that pool (the grain places them and moves each rank's bundle, each rank keeping its address).
    /// </summary>
    private async Task<MigrationStarted> MigrateRanksAsync(string jobId, JobView view, string source, int ranks, string? nodeId, string pool, IReadOnlyList<NodeStatus> nodes)
    {
        if (nodeId is not null)
            throw new OperationRejectedException(RejectionKind.Invalid, $"Job {jobId} is distributed: it migrates to a pool, where each of its {ranks} ranks takes a node of its own, not to one node.");
        var inPool = nodes.Count(n => n.Pool == pool && n.Health == NodeHealth.Live && !n.Drained);
        if (inPool < ranks)
            throw new OperationRejectedException(RejectionKind.Conflict, $"Pool '{pool}' has {inPool} live, undrained nodes; job {jobId} needs {ranks}, one per rank.");
        var job = grains.GetGrain<IJobGrain>(jobId);
        var sequence = await job.RequestCheckpoint(leaveRunning: false);
        logger.LogInformation("Migrating distributed job {JobId} to pool {Pool} through checkpoint {Sequence}", jobId, pool, sequence);
        _ = Task.Run(async () =>
        {
            try
            {
                if (await WaitForCheckpointAsync(job, sequence) is null)
                {
                    logger.LogWarning("Migration of job {JobId} to pool {Pool} stopped: checkpoint {Sequence} was not taken", jobId, pool, sequence);
                    return;
                }
                await grains.GetGrain<IDistributedJobGrain>(jobId).RestoreRanksIn(sequence, pool, $"migrated to pool {pool} on request");
            }
            catch (Exception error)
            {
                // The job is suspended to its checkpoint at worst: it shows so and can be restored.
                logger.LogError(error, "Migration of job {JobId} to pool {Pool} failed", jobId, pool);
            }
        }, CancellationToken.None);
        return new MigrationStarted(jobId, source, $"pool {pool}", sequence);
    }

    private async Task ContinueAsync(IJobGrain job, string jobId, int sequence, string source, string target)
    {
        try
        {
            var taken = await WaitForCheckpointAsync(job, sequence);
            if (taken is null)
            {
                logger.LogWarning("Migration of job {JobId} to {Target} stopped: checkpoint {Sequence} was not taken", jobId, target, sequence);
                return;
            }
            var holder = taken.NodeId;
            if (holder != target)
            {
                var transferId = Guid.NewGuid();
                await (await bus.GetSendEndpoint(AgentAddress.For(holder))).Send(new TransferCheckpoint(jobId, sequence, holder, target, transferId));
                var problem = await transfers.WaitAsync(transferId, StepTimeout);
                if (problem is not null)
                {
                    logger.LogWarning("Migration of job {JobId}: checkpoint {Sequence} did not reach {Target} ({Problem}); restoring it on {Source}", jobId, sequence, target, problem, holder);
                    await job.RequestRestore(sequence, $"migration to {target} failed ({problem}); restored where it was");
                    return;
                }
            }
            await job.RequestRestoreOn(sequence, target, $"migrated from {source} to {target} on request");
        }
        catch (Exception error)
        {
            // The job is suspended to its checkpoint at worst: it shows so and can be resumed.
            logger.LogError(error, "Migration of job {JobId} to {Target} failed", jobId, target);
        }
    }

    private async Task<CheckpointInfo?> WaitForCheckpointAsync(IJobGrain job, int sequence)
    {
        var deadline = time.GetUtcNow() + StepTimeout;
        while (time.GetUtcNow() < deadline)
        {
            var view = await job.GetView();
            if (view?.Checkpoints.FirstOrDefault(c => c.Sequence == sequence) is { } taken)
                return taken;
            if (view is null || view.PendingCheckpoint != sequence)
                return null;
            await Task.Delay(Poll, time);
        }
        return null;
    }
}
