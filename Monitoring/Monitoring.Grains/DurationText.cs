using System.Globalization;

namespace Caas.Monitoring.Grains;

/// <summary>A duration for people, in whole seconds: "00:00:05", "1.02:03:04".</summary>
public static class DurationText
{
    public static string Of(TimeSpan span) =>
        TimeSpan.FromSeconds(Math.Floor(Math.Max(0, span.TotalSeconds))).ToString("c", CultureInfo.InvariantCulture);
}
