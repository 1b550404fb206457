using Caas.Contracts.Audit;
using Caas.Contracts.Views;

namespace Caas.Contracts.Services;

/// <summary>The durable record of who did what: an append-only stream that survives restarts.</summary>
public interface IAuditTrail
{
    Task RecordAsync(AuditRecord record, CancellationToken cancellationToken = default);
    /// <summary>Newest first, filtered.</summary>
    Task<Page<AuditRecord>> ListAsync(AuditFilter filter, int skip, int take, CancellationToken cancellationToken = default);
}
