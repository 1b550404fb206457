namespace Caas.Monitoring.Grains.Starvation;

/// <summary>
/// A running job's recent pace and the baseline it has shown so far, folded from its heartbeats. The baseline is
/// learned window by window (an average that leans on the recent windows) and only from windows in which the job was
/// not starved, so starvation never teaches the job that slow is normal. Everything here follows from recorded
/// events, so a grain that reactivates from its stream judges exactly as before.
/// </summary>
[GenerateSerializer]
public sealed class JobPace
{
    /// <summary>Windows to learn before the baseline is trusted: the first one holds the job's start-up.</summary>
    public const int WindowsToLearn = 2;
    /// <summary>Weight of a new window in the baseline.</summary>
    private const double Learning = 0.3;
    /// <summary>Points kept per window: enough to find the window's start to a twentieth, little enough for 10,000 jobs.</summary>
    private const int PointsPerWindow = 20;

    /// <summary>Heartbeats of the current process, thinned to <see cref="PointsPerWindow"/> per window, covering two windows.</summary>
    [Id(0)] public List<PacePoint> Points { get; set; } = [];
    [Id(1)] public PacePoint? Latest { get; set; }
    /// <summary>Start of the window being learned.</summary>
    [Id(2)] public PacePoint? Mark { get; set; }
    /// <summary>Progress per second the job usually makes; null until a window has been learned.</summary>
    [Id(3)] public double? BaselineRate { get; set; }
    /// <summary>CPU-seconds per second the job usually uses, learned with <see cref="BaselineRate"/>.</summary>
    [Id(4)] public double? BaselineCpuRate { get; set; }
    [Id(5)] public int WindowsLearned { get; set; }

    public bool HasBaseline => WindowsLearned >= WindowsToLearn && BaselineRate > 0;

    /// <param name="learn">False while the job is starved: its windows then say nothing about its usual pace.</param>
    public void Record(PacePoint point, TimeSpan window, double ratio, bool learn)
    {
        // Counters that fall or time that runs back belong to another process: a restore the stream did not show.
        if (Latest is { } latest && (point.At <= latest.At || point.Progress < latest.Progress || point.CpuSeconds < latest.CpuSeconds))
            Restart();
        Latest = point;
        if (Points.Count == 0 || point.At - Points[^1].At >= window / PointsPerWindow)
            Points.Add(point);
        // Keep the newest point at least a window old: the current rate is measured from it.
        while (Points.Count > 1 && Points[1].At <= point.At - window * 2)
            Points.RemoveAt(0);

        Mark ??= point;
        var span = point.At - Mark.At;
        if (span < window)
            return;
        var rate = (point.Progress - Mark.Progress) / span.TotalSeconds;
        var cpuRate = (point.CpuSeconds - Mark.CpuSeconds) / span.TotalSeconds;
        Mark = point;
        if (!learn || (BaselineRate is { } usual && rate < usual * ratio))
            return;
        BaselineRate = BaselineRate is { } before ? before + Learning * (rate - before) : rate;
        BaselineCpuRate = BaselineCpuRate is { } cpuBefore ? cpuBefore + Learning * (cpuRate - cpuBefore) : cpuRate;
        WindowsLearned++;
    }

    /// <summary>A new process (start, restore) has new counters and may jump in progress: measure afresh, keep what was learned.</summary>
    public void Restart()
    {
        Points.Clear();
        Latest = null;
        Mark = null;
    }

    /// <returns>The newest point at least <paramref name="window"/> before the latest, paired with the latest; null until the job has run that long.</returns>
    public (PacePoint From, PacePoint To)? LastWindow(TimeSpan window)
    {
        if (Latest is not { } latest)
            return null;
        var from = Points.LastOrDefault(p => p.At <= latest.At - window);
        return from is null ? null : (from, latest);
    }

    /// <summary>The points from <paramref name="from"/> on, for judging what the job was doing over a window.</summary>
    public IEnumerable<PacePoint> Since(DateTimeOffset from) => Points.Where(p => p.At >= from);
}
