namespace Caas.Monitoring.Grains.Nodes;

/// <summary>
/// Whether the platform can hear its agents at all: heartbeats come in through the bus, so while the platform's own
/// side of it is down (a broker restart, the silo's link) every node falls silent at once and none of them is to blame.
/// Node silence counts only from the moment the platform could hear again (<see cref="NodeLivenessDetector"/>).
/// </summary>
public interface IPlatformHearing
{
    /// <summary>Since when the platform has heard without a break; null while it cannot hear.</summary>
    DateTimeOffset? HearingSince { get; }

    /// <summary>
    /// How long after <see cref="HearingSince"/> agents get to reconnect before their silence counts: after an outage
    /// every agent reconnects on its own backoff, which grows with the outage.
    /// </summary>
    TimeSpan ReconnectAllowance { get; }
}

/// <summary>For hosts whose heartbeats do not cross a broker (tests that drive grains directly): never deaf.</summary>
public sealed class AlwaysHearing : IPlatformHearing
{
    public static readonly AlwaysHearing Instance = new();

    public DateTimeOffset? HearingSince => DateTimeOffset.MinValue;

    public TimeSpan ReconnectAllowance => TimeSpan.Zero;
}
