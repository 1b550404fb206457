using System.Globalization;

namespace Caas.Monitoring.Grains.Policies;

/// <summary>A duration for people in the unit that reads best: "0.4 s", "2.2 min", "6 h", "3 d".</summary>
public static class SpanText
{
    public static string Of(TimeSpan span) => span.TotalSeconds switch
    {
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s"),
        < 3600 => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.#} min"),
        < 172800 => string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.#} h"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:0.#} d"),
    };
}
