using System.Globalization;
using System.Text.RegularExpressions;

namespace Caas.EndToEnd.Tests;

/// <summary>One scrape of a Prometheus text endpoint, read the way a query would: the sum of a metric's samples.</summary>
public sealed partial class PrometheusScrape(string text)
{
    public string Text { get; } = text;

    public static async Task<PrometheusScrape> FromAsync(Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return new PrometheusScrape(await http.GetStringAsync(url));
    }

    /// <summary>The sum over every series of <paramref name="name"/> whose labels contain <paramref name="label"/> (e.g. succeeded="true"); 0 when there is none.</summary>
    public double Sum(string name, string? label = null) =>
        Sample().Matches(Text)
            .Where(m => m.Groups["name"].Value == name && (label is null || m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"(?m)^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{[^}]*\})? (?<value>[-+0-9.eE]+|NaN|\+Inf)(?: \d+)?$")]
    private static partial Regex Sample();
}
