using System.Collections.Concurrent;

namespace Caas.Recovery.Tests;

/// <summary>Every scheduled message that reached a consumer, in arrival order, with the token header it carried.</summary>
public sealed class ArrivalLog
{
    private readonly ConcurrentQueue<Arrival> _arrivals = new();
    private readonly SemaphoreSlim _changed = new(0);

    public sealed record Arrival(Reminder Message, Guid? TokenId, Guid? MessageId, string Host);

    public IReadOnlyList<Arrival> All => _arrivals.ToList();

    public void Add(Arrival arrival)
    {
        _arrivals.Enqueue(arrival);
        _changed.Release();
    }

    /// <summary>Waits until the log holds an arrival that matches.</summary>
    public async Task<Arrival> FirstAsync(Func<Arrival, bool> matches, TimeSpan timeout)
    {
        var giveUpAt = DateTime.UtcNow + timeout;
        while (true)
        {
            var found = _arrivals.FirstOrDefault(matches);
            if (found is not null)
                return found;
            var left = giveUpAt - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _changed.WaitAsync(left))
                throw new TimeoutException($"No matching arrival within {timeout}; arrived: {string.Join(", ", _arrivals.Select(a => a.Message.Note))}.");
        }
    }
}
