using Caas.Capture.Agent.Ranks;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Distributed;
using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using MassTransit;

namespace Caas.Web.Standalone.Distributed;

/// <summary>
/// Carries out the work the job grains send for distributed jobs, beside the silo (a step takes seconds to minutes,
/// far too long to hold a grain call): <see cref="DistributedJobCoordinator"/> drives the ranks on their agents over the
/// bus, and the outcome, success or the coordinator's reason, goes back to the job's grain. Never throws: a failure is
/// an outcome the grain records, not a message to redeliver (a redelivered launch or checkpoint would repeat steps the
/// first attempt already took).
/// </summary>
public sealed class DistributedJobRunner(IBus bus, IGrainFactory grains, ILogger<DistributedJobRunner> logger)
    : IConsumer<LaunchRanks>, IConsumer<CheckpointRanks>, IConsumer<RestoreRanks>, IConsumer<StopRanks>, IConsumer<UnlockRanks>
{
    /// <summary>How long one agent may take over one step of one rank (a dump of a large rank, a bundle transfer).</summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(2);

    private DistributedJobCoordinator Coordinator => new(bus, StepTimeout);

    private IDistributedJobGrain Job(string jobId) => grains.GetGrain<IDistributedJobGrain>(jobId);

    private static RankPlacement[] Placements(IEnumerable<RankAssignment> ranks) =>
        [.. ranks.OrderBy(r => r.Rank).Select(r => new RankPlacement(r.Rank, r.NodeId, r.Address))];

    public async Task Consume(ConsumeContext<LaunchRanks> context)
    {
        var work = context.Message;
        var failure = await OutcomeOf("launch", work.JobId, () => Coordinator.LaunchAsync(work.JobId, Placements(work.Ranks), work.Command, work.Args, context.CancellationToken));
        await Job(work.JobId).RecordRanksLaunched(work.Epoch, failure);
    }

    public async Task Consume(ConsumeContext<CheckpointRanks> context)
    {
        var work = context.Message;
        var placements = Placements(work.Ranks);
        CoordinatedCheckpointResult? result = null;
        var failure = await OutcomeOf($"checkpoint {work.Sequence}", work.JobId,
            async () => result = await Coordinator.CheckpointAsync(work.JobId, work.Sequence, placements, work.Stop, context.CancellationToken));
        IReadOnlyList<RankCheckpoint>? ranks = result is null ? null
            : [.. placements.Select((p, i) => new RankCheckpoint(p.Rank, p.NodeId, p.Address, result.Ranks[i].AppPause, result.Ranks[i].Dump))];
        await Job(work.JobId).RecordRanksCheckpointed(work.Sequence, ranks, failure);
    }

    public async Task Consume(ConsumeContext<RestoreRanks> context)
    {
        var work = context.Message;
        var failure = await OutcomeOf($"restore of checkpoint {work.Sequence}", work.JobId,
            () => Coordinator.RestoreElsewhereAsync(work.JobId, work.Sequence, Placements(work.From), Placements(work.To), context.CancellationToken));
        await Job(work.JobId).RecordRanksRestored(work.IncidentId, work.Sequence, work.To, failure);
    }

    public async Task Consume(ConsumeContext<StopRanks> context)
    {
        var work = context.Message;
        var failures = new List<string>();
        await Task.WhenAll(Placements(work.Ranks).Select(async p =>
        {
            var failure = await OutcomeOf($"stop of rank {p.Rank}", work.JobId,
                () => new BusRank(bus, work.JobId, p, 0, StepTimeout).StopAsync(context.CancellationToken));
            if (failure is not null)
                lock (failures)
                    failures.Add($"rank {p.Rank}: {failure}");
        }));
        await Job(work.JobId).RecordRanksStopped(failures.Count == 0 ? null : string.Join("; ", failures.Order(StringComparer.Ordinal)));
    }

    /// <summary>Best effort on every rank: a rank that is gone or not locked needs nothing; what fails is logged.</summary>
    public async Task Consume(ConsumeContext<UnlockRanks> context)
    {
        var work = context.Message;
        await Task.WhenAll(Placements(work.Ranks).Select(p => OutcomeOf($"unlock of rank {p.Rank} ({work.Reason})", work.JobId,
            () => new BusRank(bus, work.JobId, p, work.Sequence, StepTimeout).UnlockAsync(context.CancellationToken))));
    }

    /// <returns>Null when the step succeeded; otherwise what went wrong, for the job's record.</returns>
    private async Task<string?> OutcomeOf(string step, string jobId, Func<Task> run)
    {
        try
        {
            await run();
            logger.LogInformation("The {Step} of distributed job {JobId} succeeded", step, jobId);
            return null;
        }
        catch (Exception e) when (e is DistributedCheckpointFailedException or CheckpointEngineException or ArgumentException or RequestException)
        {
            logger.LogWarning("The {Step} of distributed job {JobId} failed: {Reason}", step, jobId, e.Message);
            return e.Message;
        }
    }
}
