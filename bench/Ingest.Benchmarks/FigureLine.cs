using System.Globalization;

namespace Caas.Ingest.Benchmarks;

/// <summary>The one-line figure format every bench/ script prints (bench/figures.sh is its shell twin).</summary>
public static class FigureLine
{
    public static string Target(string name, double value, string op, double target)
    {
        // Judged on the value as printed, so a line never reads "1.10 (target <= 1.10) short".
        var shown = Format(value);
        var judged = double.Parse(shown, CultureInfo.InvariantCulture);
        var met = op switch
        {
            "<=" => judged <= target,
            ">=" => judged >= target,
            _ => throw new ArgumentException($"unknown comparison '{op}'", nameof(op)),
        };
        return $"bench {name}: {shown} (target {op} {Format(target)}) {(met ? "met" : "short")}";
    }

    public static string Record(string name, double value) => $"bench {name}: {Format(value)} (for the record)";

    // Rates in the thousands read better without decimals; ratios and milliseconds need two.
    private static string Format(double value) =>
        value.ToString(Math.Abs(value) >= 100 ? "0" : "0.00", CultureInfo.InvariantCulture);
}
