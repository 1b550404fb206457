using Caas.Monitoring.EventStore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Caas.Web.Standalone.Health;

/// <summary>Ready only while the event store answers: without it no report can be recorded and no page shown.</summary>
public sealed class EventStoreHealthCheck(IEventStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var head = await store.ReadHeadPositionAsync(cancellationToken);
            return HealthCheckResult.Healthy($"event store at position {head}");
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // The reason goes to the log; the endpoint shows only the status, so a connection string never leaks.
            return HealthCheckResult.Unhealthy("the event store does not answer", error);
        }
    }
}
