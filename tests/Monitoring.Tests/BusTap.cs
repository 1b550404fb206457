using System.Collections.Concurrent;

namespace Caas.Monitoring.Tests;

/// <summary>Everything the monitoring grains put on the bus, as real consumers on real in-memory queues received it.</summary>
public sealed class BusTap
{
    private readonly ConcurrentQueue<(string Queue, object Message)> _received = new();

    /// <summary>Jobs whose output requests the stand-in agents answer under another node's name (job id to that name).</summary>
    public ConcurrentDictionary<string, string> OutputAnsweredAs { get; } = new();

    public void Record(string queue, object message) => _received.Enqueue((queue, message));

    public IReadOnlyList<T> All<T>(Func<T, bool> match) => _received.Select(r => r.Message).OfType<T>().Where(match).ToArray();

    public IReadOnlyList<T> AllOn<T>(string queue, Func<T, bool> match) =>
        _received.Where(r => r.Queue == queue).Select(r => r.Message).OfType<T>().Where(match).ToArray();

    public async Task<T> WaitFor<T>(Func<T, bool> match, string? queue = null, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var found = queue is null ? All(match) : AllOn(queue, match);
            if (found.Count > 0)
                return found[0];
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"No {typeof(T).Name} matching the test's condition arrived{(queue is null ? "" : $" on {queue}")} within {seconds} s.");
            await Task.Delay(20);
        }
    }
}
