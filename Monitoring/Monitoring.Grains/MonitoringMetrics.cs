using System.Diagnostics.Metrics;

namespace Caas.Monitoring.Grains;

/// <summary>
/// What monitoring measures, on the meter <see cref="MeterName"/>: the ingestion rate (heartbeat samples and events
/// recorded in job streams; a scraper takes their rate) and detection latency (how long after a job crossed its stall
/// threshold the stall was recorded).
/// </summary>
public static class MonitoringMetrics
{
    public const string MeterName = "Caas.Monitoring";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> HeartbeatSamples = Meter.CreateCounter<long>(
        "caas.monitoring.heartbeat.samples", "{sample}", "Job heartbeat samples recorded in their job's stream (acknowledged to the bus after this).");

    public static readonly Counter<long> EventsRecorded = Meter.CreateCounter<long>(
        "caas.monitoring.events.recorded", "{event}", "Events appended to job streams in the event store.");

    public static readonly Histogram<double> DetectionLatency = Meter.CreateHistogram<double>(
        "caas.monitoring.detection.latency", "s", "From the moment a job crossed its stall threshold to the stall being recorded.");
}
