using System.Globalization;

namespace Caas.Web.Portal.Portal;

/// <summary>How the portal writes times, sizes and fractions for people.</summary>
public static class DisplayText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Ago(DateTimeOffset? at, DateTimeOffset now)
    {
        if (at is not { } when)
            return "never";
        var age = now - when;
        if (age < TimeSpan.Zero)
            age = TimeSpan.Zero;
        return age.TotalSeconds < 60 ? $"{(int)age.TotalSeconds} s ago"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes} min ago"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours} h ago"
            : $"{(int)age.TotalDays} d ago";
    }

    public static string Percent(double? fraction) =>
        fraction is { } f ? (f * 100).ToString("0.#", Invariant) + "%" : "–";

    /// <summary>Width of a progress bar, clamped so a bad report cannot break the layout.</summary>
    public static string BarWidth(double? fraction) =>
        (Math.Clamp(fraction ?? 0, 0, 1) * 100).ToString("0.##", Invariant) + "%";

    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : value.ToString("0.0", Invariant) + " " + units[unit];
    }

    public static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.###", Invariant) + " s";

    public static string Seconds(double seconds) => seconds.ToString("0.##", Invariant) + " s";

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Invariant) + " UTC";
}
