using System.Diagnostics.Metrics;

namespace Caas.Recovery.Sagas;

/// <summary>What recovery measures, on the meter <see cref="MeterName"/>: how long recovery sagas take, by outcome.</summary>
public static class RecoveryMetrics
{
    public const string MeterName = "Caas.Recovery";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Histogram<double> SagaDuration = Meter.CreateHistogram<double>(
        "caas.recovery.saga.duration", "s", "From a recovery's start (a stall or a restore request) to its end; tagged succeeded=true|false.");
}
