using System.Diagnostics.Metrics;

namespace Caas.Capture.Agent.Transfer;

/// <summary>What the receiving agent records per transfer: bytes that crossed the network and how long it took, by outcome.</summary>
public sealed class TransferMetrics
{
    public const string MeterName = "Caas.Capture.Transfer";
    public const string BytesMovedName = "caas.transfer.bytes_moved";
    public const string DurationName = "caas.transfer.duration";

    private readonly Counter<long> _bytesMoved;
    private readonly Histogram<double> _duration;

    public TransferMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _bytesMoved = meter.CreateCounter<long>(BytesMovedName, "By", "Checkpoint bytes received from other agents, resumed requests included");
        _duration = meter.CreateHistogram<double>(DurationName, "s", "Time from the start of a checkpoint transfer to its end");
    }

    public void Record(long bytesMoved, TimeSpan duration, bool succeeded)
    {
        var outcome = new KeyValuePair<string, object?>("outcome", succeeded ? "transferred" : "failed");
        _bytesMoved.Add(bytesMoved, outcome);
        _duration.Record(duration.TotalSeconds, outcome);
    }
}
