using Caas.Contracts.Audit;

namespace Caas.Portal.Tests.Fakes;

/// <summary>The audit trail in memory, filtered by the same rule and paged as the event-store one (tested in Monitoring.Tests).</summary>
public sealed class FakeAuditTrail : IAuditTrail
{
    private readonly Lock gate = new();
    private readonly List<AuditRecord> records = [];

    public IReadOnlyList<AuditRecord> Records
    {
        get { lock (gate) return records.ToList(); }
    }

    public Task RecordAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        lock (gate)
            records.Add(record);
        return Task.CompletedTask;
    }

    public Task<Page<AuditRecord>> ListAsync(AuditFilter filter, int skip, int take, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var matching = records.AsEnumerable().Reverse().Where(filter.Matches).ToList();
            return Task.FromResult(new Page<AuditRecord>(matching.Skip(skip).Take(take).ToList(), matching.Count, skip, take));
        }
    }
}
