using System.Globalization;

namespace Caas.Web.Portal.Portal;

/// <summary>
/// A job's heartbeats turned into the three series its page plots: CPU use (cores busy between two samples, as a
/// percentage of one core), resident memory, and reported progress.
/// </summary>
public static class ChartSeries
{
    public static IReadOnlyList<ChartPoint> CpuPercent(IReadOnlyList<JobSamplePoint> samples)
    {
        var points = new List<ChartPoint>(samples.Count);
        for (var i = 1; i < samples.Count; i++)
        {
            var seconds = (samples[i].At - samples[i - 1].At).TotalSeconds;
            // CPU time falls back to zero when a job is restored from an image: that is a new process, not negative use.
            var used = samples[i].CpuSeconds - samples[i - 1].CpuSeconds;
            if (seconds > 0 && used >= 0)
                points.Add(new ChartPoint(samples[i].At, used / seconds * 100));
        }
        return points;
    }

    public static IReadOnlyList<ChartPoint> Memory(IReadOnlyList<JobSamplePoint> samples) =>
        samples.Select(s => new ChartPoint(s.At, s.RssBytes)).ToArray();

    public static IReadOnlyList<ChartPoint> Progress(IReadOnlyList<JobSamplePoint> samples) =>
        samples.Where(s => s.Progress is not null).Select(s => new ChartPoint(s.At, Math.Clamp(s.Progress!.Value, 0, 1))).ToArray();

    public static string CpuText(double percent) => percent.ToString("0", CultureInfo.InvariantCulture) + "%";
}

/// <summary>One value of a chart at a moment.</summary>
public readonly record struct ChartPoint(DateTimeOffset At, double Value);
