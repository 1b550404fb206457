using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace Caas.Silo.Benchmarks;

/// <summary>
/// What this process allocates, by type, from the runtime's allocation samples (one event about every 100 KB
/// allocated, naming the type of the object that crossed the mark): a cheap, in-process look at which objects make
/// up the bytes per event, without a trace file and a reader for it.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int AllocationTick = 10;

    private readonly ConcurrentDictionary<string, long> _bytesByType = new(StringComparer.Ordinal);
    private volatile bool _sampling;

    public bool Sampling { get => _sampling; set => _sampling = value; }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == RuntimeSource)
            EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_sampling || e.EventId != AllocationTick || e.PayloadNames is null || e.Payload is null)
            return;
        var type = e.Payload[e.PayloadNames.IndexOf("TypeName")] as string ?? "?";
        var amount = Convert.ToInt64(e.Payload[e.PayloadNames.IndexOf("AllocationAmount64")], CultureInfo.InvariantCulture);
        _bytesByType.AddOrUpdate(type, amount, (_, sum) => sum + amount);
    }

    /// <summary>The <paramref name="top"/> types by sampled bytes, as lines of share and bytes per event.</summary>
    public IEnumerable<string> Report(int top, long events)
    {
        var total = Math.Max(1, _bytesByType.Values.Sum());
        return _bytesByType.OrderByDescending(t => t.Value).Take(top).Select(t => string.Create(CultureInfo.InvariantCulture,
            $"{t.Value * 100.0 / total,5:0.0}% {t.Value / (double)events,7:0} B/event {t.Key}"));
    }
}
