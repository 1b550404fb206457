using Caas.Contracts.Bus;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>Answers recovery's placement question with the node directory's choice for the job (never an excluded node), or why none fits.</summary>
public sealed class PlaceRecoveredJobConsumer(
    IGrainFactory grains,
    [FromKeyedServices(MonitoringClock.Key)] TimeProvider time,
    ILogger<PlaceRecoveredJobConsumer> logger) : IConsumer<PlaceRecoveredJob>
{
    public async Task Consume(ConsumeContext<PlaceRecoveredJob> context)
    {
        var request = context.Message;
        if (!JobIds.IsValid(request.JobId))
        {
            logger.LogWarning("Dropped a placement request for incident {Incident} naming '{JobId}', which is not a job id", request.IncidentId, request.JobId);
            return;
        }
        PlacementDecision decision;
        try
        {
            decision = await grains.GetGrain<IJobGrain>(request.JobId).PlaceForRecovery(request.ExcludedNodeIds ?? [], request.Targets, request.Sequence);
        }
        catch (OperationRejectedException rejected)
        {
            decision = PlacementDecision.Nowhere(rejected.Message);
        }
        await (decision.NodeId is { } node
            ? context.Publish(new RecoveryPlaced(request.IncidentId, request.JobId, node, request.Attempt, time.GetUtcNow()))
            : context.Publish(new RecoveryPlacementFailed(request.IncidentId, request.JobId, decision.Problem ?? "no node fits", request.Attempt, time.GetUtcNow())));
    }
}
