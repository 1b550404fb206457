using System.Text.Json;
using MassTransit;

namespace Caas.Monitoring.Grains.Consumers;

/// <summary>
/// When a report (a heartbeat, an exit, a checkpoint record) cannot be recorded, how long it keeps being retried
/// before MassTransit gives up and moves it to the error queue. A report that arrived while the store or a silo was
/// away is good data: moving it to the error queue would lose an event that RabbitMQ had acknowledged to the agent, so
/// it is retried, doubling the wait up to <see cref="MaxInterval"/>, for as long as <see cref="Patience"/> (half an
/// hour by default, past any restart of PostgreSQL, RabbitMQ or a silo). Meanwhile it stays unacknowledged, so the ones
/// behind it wait in RabbitMQ's durable queue rather than pile up in memory, and a host that dies hands it to another.
/// Only a report that can never be recorded (<see cref="IsBadReport"/>) gives up after a few quick tries.
/// </summary>
/// <param name="Retries">How many times a failing report is tried again.</param>
public sealed record ReportRetry(TimeSpan FirstInterval, TimeSpan MaxInterval, int Retries)
{
    public static readonly ReportRetry Default = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(1), 40);

    /// <summary>The tries a bad report gets, in case the fault was in the moment and not in the report.</summary>
    public static readonly TimeSpan[] BadReportIntervals = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)];

    /// <summary>The waits before each retry: doubling from <see cref="FirstInterval"/>, at most <see cref="MaxInterval"/>.</summary>
    public IReadOnlyList<TimeSpan> Intervals()
    {
        var intervals = new List<TimeSpan>(Retries);
        var next = FirstInterval;
        for (var retry = 0; retry < Retries; retry++)
        {
            intervals.Add(next);
            next = next * 2 > MaxInterval ? MaxInterval : next * 2;
        }
        return intervals;
    }

    /// <summary>How long after its first failure a report is still being tried.</summary>
    public TimeSpan Patience => Intervals().Aggregate(TimeSpan.Zero, (sum, interval) => sum + interval);

    /// <summary>A failure that no retry can cure: the report itself is malformed.</summary>
    public static bool IsBadReport(Exception exception) =>
        exception is ArgumentException or FormatException or JsonException or InvalidCastException;

    /// <summary>Retries the consumer's failures: bad reports briefly, anything else (the store, a silo, a timeout) patiently.</summary>
    public void ApplyTo<TConsumer>(IConsumerConfigurator<TConsumer> consumer) where TConsumer : class
    {
        // The outer filter sees only what the inner one let through: every failure but a bad report, at once.
        consumer.UseMessageRetry(retry =>
        {
            retry.Ignore<Exception>(IsBadReport);
            retry.Intervals([.. Intervals()]);
        });
        consumer.UseMessageRetry(retry =>
        {
            retry.Handle<Exception>(IsBadReport);
            retry.Intervals(BadReportIntervals);
        });
    }
}
