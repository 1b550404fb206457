namespace Caas.Monitoring.Grains.Distributed;

/// <summary>The platform's rank fabric (one instance, key 0): hands each distributed job addresses no other live job holds.</summary>
public interface IRankFabricGrain : IGrainWithIntegerKey
{
    /// <summary>The job's addresses, index = rank: those it already holds (a repeated call), or <paramref name="count"/> free ones, journaled before they are returned.</summary>
    /// <exception cref="Contracts.Services.OperationRejectedException">No fabric is configured, or too few addresses are free.</exception>
    Task<IReadOnlyList<string>> Lease(string jobId, int count);
    /// <summary>The job's addresses are free again (it ended for good). Nothing when it holds none.</summary>
    Task Release(string jobId);
    /// <summary>What each job holds.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> Leases();
}
