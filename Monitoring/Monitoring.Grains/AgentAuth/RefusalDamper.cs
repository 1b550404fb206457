namespace Caas.Monitoring.Grains.AgentAuth;

/// <summary>
/// Keeps a refused agent from flooding the audit trail and the log: an agent started without enrollment sends a
/// heartbeat every few seconds, each refused. The first refusal of a sender for a reason is recorded at once; the same
/// refusal again within <see cref="Interval"/> is only counted, and the next record says how many were not recorded one
/// by one. Senders are whatever the unauthenticated headers claim, so the set kept is bounded: past
/// <see cref="MaxSenders"/>, the rest share one entry.
/// </summary>
public sealed class RefusalDamper
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    public const int MaxSenders = 1024;
    private const string Overflow = "(many senders)";
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Sender, string Problem), Window> _windows = [];

    /// <returns>
    /// Null when this refusal is only counted; else how many refusals of the same sender for the same reason were counted
    /// since the last one recorded (0 the first time), and when that was.
    /// </returns>
    public (int Suppressed, DateTimeOffset Since)? ShouldRecord(string sender, string problem, DateTimeOffset now)
    {
        lock (_gate)
        {
            var key = (sender, problem);
            if (!_windows.ContainsKey(key) && _windows.Count >= MaxSenders)
            {
                Forget(now);
                if (_windows.Count >= MaxSenders)
                    key = (Overflow, "refused");
            }
            if (!_windows.TryGetValue(key, out var window))
            {
                _windows[key] = new Window { RecordedAt = now };
                return (0, now);
            }
            if (now - window.RecordedAt < Interval)
            {
                window.Suppressed++;
                return null;
            }
            var counted = (window.Suppressed, window.RecordedAt);
            window.RecordedAt = now;
            window.Suppressed = 0;
            return counted;
        }
    }

    /// <summary>Drops senders quiet for a whole interval: their next refusal is recorded at once anyway.</summary>
    private void Forget(DateTimeOffset now)
    {
        foreach (var (key, window) in _windows.Where(w => now - w.Value.RecordedAt >= Interval && w.Value.Suppressed == 0).ToList())
            _windows.Remove(key);
    }

    private sealed class Window
    {
        public DateTimeOffset RecordedAt;
        public int Suppressed;
    }
}
