using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;

namespace Caas.Contracts.Grains;

/// <summary>
/// The job grain's side of a distributed job: the outcomes of the work it sent to <see cref="DistributedJobAddress"/>
/// and the ranks' own reports. Each is idempotent (a redelivered outcome changes nothing).
/// </summary>
public interface IDistributedJobGrain : IGrainWithStringKey
{
    /// <param name="failure">Null when every rank of placement <paramref name="epoch"/> runs; else why the launch failed (the ranks that started were stopped).</param>
    Task RecordRanksLaunched(long epoch, string? failure);
    /// <param name="ranks">Every rank's share when the checkpoint was taken; null when it failed, then <paramref name="failure"/> says why.</param>
    Task RecordRanksCheckpointed(int sequence, IReadOnlyList<RankCheckpoint>? ranks, string? failure);
    Task RecordRanksRestored(Guid incidentId, int sequence, IReadOnlyList<RankAssignment> ranks, string? failure);
    Task RecordRanksStopped(string? failure);
    Task RecordRankExited(RankProcessExited report);
    /// <summary>The samples of the job's ranks that node <paramref name="nodeId"/> holds, from its heartbeat at <paramref name="at"/>; samples of ranks not running there are ignored.</summary>
    Task RecordRankSamples(string nodeId, IReadOnlyList<RankSample> samples, DateTimeOffset at);
    /// <summary>Restores every rank from checkpoint <paramref name="sequence"/> on nodes of <paramref name="pool"/> (a migration); returns the restore incident.</summary>
    /// <exception cref="Services.OperationRejectedException">The job still runs, the checkpoint is unknown, or the pool has too few free nodes.</exception>
    Task<Guid> RestoreRanksIn(int sequence, string pool, string reason);
}
