using Caas.Contracts.Services;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Output;

/// <summary>Job output for the portal and the API, read through a silo (<see cref="IJobOutputGrain"/>).</summary>
public sealed class SiloJobOutput(IGrainFactory grains) : IJobOutput
{
    public Task<JobOutput> ReadAsync(string jobId, JobOutputQuery query, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        query.Validate();
        return grains.GetGrain<IJobOutputGrain>(jobId).Read(query);
    }
}
