using Caas.Contracts.Grains;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Caas.Web.Standalone.Health;

/// <summary>Ready only while a grain call goes through: the silo has joined its cluster and activates grains.</summary>
public sealed class SiloHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var nodes = await grains.GetGrain<INodeDirectoryGrain>(0).List().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"{nodes.Count} nodes known");
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("grain calls do not go through", error);
        }
    }
}
