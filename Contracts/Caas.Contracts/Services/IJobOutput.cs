using Caas.Contracts.Views;

namespace Caas.Contracts.Services;

/// <summary>A job's stdout and stderr, read from the agent of the node it runs (or last ran) on.</summary>
public interface IJobOutput
{
    /// <exception cref="OperationRejectedException">
    /// NotFound: no such job; Invalid: a query out of range; Conflict: the job's node did not answer in time.
    /// </exception>
    Task<JobOutput> ReadAsync(string jobId, JobOutputQuery query, CancellationToken cancellationToken = default);
}
