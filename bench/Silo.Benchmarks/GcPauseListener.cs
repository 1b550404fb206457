using System.Diagnostics.Tracing;
using System.Globalization;

namespace Caas.Silo.Benchmarks;

/// <summary>
/// Each garbage collection's pause (runtime suspended to resumed) and generation while it listens, from the runtime's
/// own GC events in this process: what lands on an append's latency is the longest pauses, which the totals
/// <see cref="GC.GetTotalPauseDuration"/> gives do not show.
/// </summary>
public sealed class GcPauseListener : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int GcStart = 1, RestartEeEnd = 3, HeapStats = 4, SuspendEeEnd = 8, SuspendEeBegin = 9;

    private readonly Lock _lock = new();
    private readonly List<Pause> _pauses = [];
    private DateTime? _suspendedAt;
    private double _suspendMs;
    private int _generation = -1;
    private double _promotedMiB;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == RuntimeSource)
            EnableEvents(source, EventLevel.Informational, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        lock (_lock)
        {
            switch (e.EventId)
            {
                case GcStart when e.Payload is { Count: > 1 } payload:
                    _generation = Convert.ToInt32(payload[1], CultureInfo.InvariantCulture);
                    break;
                case SuspendEeBegin:
                    _suspendedAt = e.TimeStamp;
                    _promotedMiB = 0;
                    break;
                case SuspendEeEnd when _suspendedAt is { } since:
                    _suspendMs = (e.TimeStamp - since).TotalMilliseconds;
                    break;
                case HeapStats when e.Payload is { Count: > 3 } payload:
                    // Bytes that survived into gen1 and gen2 (TotalPromotedSize0, TotalPromotedSize1).
                    _promotedMiB = (Convert.ToDouble(payload[1], CultureInfo.InvariantCulture) + Convert.ToDouble(payload[3], CultureInfo.InvariantCulture)) / 1048576;
                    break;
                case RestartEeEnd when _suspendedAt is { } since:
                    _pauses.Add(new Pause(_generation, (e.TimeStamp - since).TotalMilliseconds, _suspendMs, _promotedMiB));
                    _suspendedAt = null;
                    break;
            }
        }
    }

    /// <summary>
    /// The pauses seen so far, as one line (count by generation, longest, total; then each as pause ms, of which
    /// suspending the threads, and MiB promoted); clears them.
    /// </summary>
    public string Take()
    {
        lock (_lock)
        {
            var byGeneration = string.Join('/', Enumerable.Range(0, 3).Select(g => _pauses.Count(p => p.Generation == g)));
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{_pauses.Count} pauses ({byGeneration} gen0/1/2), longest {(_pauses.Count == 0 ? 0 : _pauses.Max(p => p.PauseMs)):0.0} ms, total {_pauses.Sum(p => p.PauseMs):0} ms; each {string.Join(' ', _pauses.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.PauseMs:0}({p.SuspendMs:0})/{p.PromotedMiB:0}")))} ms(suspend)/MiB promoted");
            _pauses.Clear();
            return line;
        }
    }

    private readonly record struct Pause(int Generation, double PauseMs, double SuspendMs, double PromotedMiB);
}
