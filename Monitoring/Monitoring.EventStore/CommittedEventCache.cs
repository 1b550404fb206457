namespace Caas.Monitoring.EventStore;

/// <summary>
/// The events this store itself committed lately, by global position, so that its subscriptions need not read back
/// from the database what this process has just written (under heartbeats, nearly everything they read): a subscription
/// reads the rows' places from the database, which stays the judge of order and gaps, and takes their data (and the
/// event object the writer serialized) from here. A ring of fixed size, so that what it keeps alive stays small and
/// young: an event older than the ring, or written by another process, is read from the database as before.
/// </summary>
internal sealed class CommittedEventCache(int capacity)
{
    private readonly Entry[] _ring = new Entry[capacity];
    private readonly Lock _lock = new();

    /// <summary>Call only after the commit: a position is looked up once a read has seen its row committed.</summary>
    public void Add(IReadOnlyList<(long Position, EventData Event)> committed)
    {
        lock (_lock)
        {
            foreach (var (position, data) in committed)
                _ring[position % _ring.Length] = new Entry(position, data);
        }
    }

    public bool TryGet(long position, out EventData data)
    {
        lock (_lock)
        {
            var entry = _ring[position % _ring.Length];
            data = entry.Event!;
            return entry.Event is not null && entry.Position == position;
        }
    }

    private readonly record struct Entry(long Position, EventData? Event);
}
