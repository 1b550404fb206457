using System.Text.Json;
using System.Text.Json.Serialization;
using Caas.Contracts.Audit;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Caas.Monitoring.EventStore;

namespace Caas.Monitoring.Grains.Audit;

/// <summary>
/// The audit trail as one stream, <c>audit</c>, in the platform's event store: durable wherever the events are
/// (SQLite standalone, PostgreSQL in a cluster), append-only, and read newest first for the audit page and API.
/// Queries scan the stream backward in batches; an audit trail of millions of records would want a read model.
/// </summary>
public sealed class EventStoreAuditTrail(IEventStore store) : IAuditTrail
{
    public const string Stream = "audit";
    public const string EventType = "audit.recorded.v1";
    public const int MaxPageSize = 500;
    private const int Batch = 500;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public async Task RecordAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var id = record.Id == Guid.Empty ? Guid.NewGuid() : record.Id;
        var data = JsonSerializer.Serialize(record with { Id = id }, Json);
        await store.AppendAsync(Stream, ExpectedVersion.Any, [new EventData(id, EventType, data)], cancellationToken);
    }

    public async Task<Page<AuditRecord>> ListAsync(AuditFilter filter, int skip, int take, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (skip < 0)
            throw new OperationRejectedException(RejectionKind.Invalid, $"'skip' must be 0 or more, not {skip}.");
        if (take is < 1 or > MaxPageSize)
            throw new OperationRejectedException(RejectionKind.Invalid, $"'take' must be between 1 and {MaxPageSize}, not {take}.");
        var items = new List<AuditRecord>(take);
        var total = 0;
        var from = StreamPosition.End;
        while (true)
        {
            var batch = await store.ReadStreamBackwardAsync(Stream, from, Batch, cancellationToken);
            foreach (var recorded in batch)
            {
                if (recorded.Type != EventType || JsonSerializer.Deserialize<AuditRecord>(recorded.Data, Json) is not { } record || !filter.Matches(record))
                    continue;
                if (total >= skip && items.Count < take)
                    items.Add(record);
                total++;
            }
            if (batch.Count < Batch || batch[^1].Version == 0)
                break;
            from = batch[^1].Version - 1;
        }
        return new Page<AuditRecord>(items, total, skip, take);
    }
}
