using Caas.Contracts.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Caas.Monitoring.Grains.Distributed;

/// <summary>
/// Gives out the addresses of the rank fabric (<see cref="RankFabricOptions"/>), lowest free first, and keeps who holds
/// which in <see cref="RankFabricJournal"/>: a lease is recorded before the job is told, so a restarted platform never
/// hands a held address to another job.
/// </summary>
public sealed class RankFabricGrain(RankFabricJournal journal, IOptions<RankFabricOptions> options,
    [FromKeyedServices(MonitoringClock.Key)] TimeProvider time) : Grain, IRankFabricGrain
{
    private readonly Dictionary<string, IReadOnlyList<string>> _leases = new(StringComparer.Ordinal);
    private long _version;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        var (leases, version) = await journal.Read(cancellationToken);
        foreach (var (jobId, addresses) in leases)
            _leases[jobId] = addresses;
        _version = version;
    }

    public async Task<IReadOnlyList<string>> Lease(string jobId, int count)
    {
        if (_leases.TryGetValue(jobId, out var held))
            return held;
        var fabric = options.Value.Addresses();
        if (fabric.Count == 0)
            throw new OperationRejectedException(RejectionKind.Invalid,
                $"This platform has no rank fabric for distributed jobs: set {RankFabricOptions.SectionName}:FirstAddress (docs/capture.md, \"Distributed jobs\").");
        var taken = _leases.Values.SelectMany(a => a).ToHashSet(StringComparer.Ordinal);
        var free = fabric.Where(a => !taken.Contains(a)).Take(count).ToArray();
        if (free.Length < count)
            throw new OperationRejectedException(RejectionKind.Conflict,
                $"The rank fabric has {fabric.Count - taken.Count} free addresses of {fabric.Count}; the job needs {count}. Try again when a distributed job ends.");
        _version = await journal.Append(_version, jobId, free, time.GetUtcNow());
        _leases[jobId] = free;
        return free;
    }

    public async Task Release(string jobId)
    {
        if (!_leases.ContainsKey(jobId))
            return;
        _version = await journal.Append(_version, jobId, [], time.GetUtcNow());
        _leases.Remove(jobId);
    }

    public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> Leases() =>
        Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>(new Dictionary<string, IReadOnlyList<string>>(_leases, StringComparer.Ordinal));
}
