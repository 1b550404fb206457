using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Output;

/// <summary>
/// Where a read of a job's output is asked of its agent: on a silo, which has the bus (a web host has none). Keyed by
/// the job id; a stateless worker, so reads of one job's output never queue behind each other.
/// </summary>
public interface IJobOutputGrain : IGrainWithStringKey
{
    /// <inheritdoc cref="Caas.Contracts.Services.IJobOutput.ReadAsync"/>
    Task<JobOutput> Read(JobOutputQuery query);
}
