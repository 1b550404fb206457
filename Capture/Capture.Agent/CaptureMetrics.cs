using System.Diagnostics.Metrics;
using Caas.Contracts.Jobs;

namespace Caas.Capture.Agent;

/// <summary>What the node agent measures, on the meter <see cref="MeterName"/>: the size and time of each checkpoint it takes, and refusals.</summary>
public static class CaptureMetrics
{
    public const string MeterName = "Caas.Capture";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Histogram<long> CheckpointSize = Meter.CreateHistogram<long>(
        "caas.capture.checkpoint.size", "By", "Bytes of a checkpoint bundle as stored (compressed, deduplicated against its parent).");

    public static readonly Histogram<double> CheckpointDuration = Meter.CreateHistogram<double>(
        "caas.capture.checkpoint.duration", "s", "From the checkpoint command to a verified, signed bundle.");

    public static readonly Histogram<double> CheckpointPause = Meter.CreateHistogram<double>(
        "caas.capture.checkpoint.pause", "s", "How long the job was frozen for the checkpoint.");

    public static readonly Counter<long> CheckpointsRejected = Meter.CreateCounter<long>(
        "caas.capture.checkpoints.rejected", "{checkpoint}", "Checkpoints the agent could not take (disk full, job gone, engine failure).");

    public static void Completed(CheckpointInfo checkpoint)
    {
        var node = new KeyValuePair<string, object?>("node", checkpoint.NodeId);
        CheckpointSize.Record(checkpoint.SizeBytes, node);
        CheckpointDuration.Record(checkpoint.Duration.TotalSeconds, node);
        CheckpointPause.Record(checkpoint.AppPause.TotalSeconds, node);
    }
}
