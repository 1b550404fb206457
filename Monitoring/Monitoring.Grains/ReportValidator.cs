using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Grains;

/// <summary>
/// Checks what agents report before it becomes an event. A value JSON cannot hold (NaN progress) would make the
/// journal's write fail, and Orleans retries a failed write forever, so such reports are refused up front.
/// </summary>
public static class ReportValidator
{
    public const int MaxMessageLength = 4096;

    /// <returns>Why the sample is unusable, or null when it is fine.</returns>
    public static string? ProblemWith(JobSample? sample, string jobId)
    {
        if (sample is null)
            return "the sample is missing";
        if (sample.JobId != jobId)
            return $"the sample is for job '{sample.JobId}'";
        if (!double.IsFinite(sample.CpuSeconds) || sample.CpuSeconds < 0)
            return $"CPU time {sample.CpuSeconds} is not a finite non-negative number";
        if (sample.Progress is { } p && !IsFraction(p))
            return $"progress {p} is not a fraction between 0 and 1";
        if (sample.ProgressMessage is { Length: > MaxMessageLength })
            return $"the progress message is longer than {MaxMessageLength} characters";
        if (sample.RssBytes < 0 || sample.ReadBytes < 0 || sample.WriteBytes < 0 || sample.Threads < 0)
            return "memory, I/O and thread counts must not be negative";
        return null;
    }

    /// <returns>Why the checkpoint record is unusable, or null when it is fine.</returns>
    public static string? ProblemWith(CheckpointInfo? checkpoint)
    {
        if (checkpoint is null)
            return "the checkpoint record is missing";
        if (checkpoint.Sequence < 1)
            return $"sequence {checkpoint.Sequence} is not positive";
        if (string.IsNullOrWhiteSpace(checkpoint.NodeId))
            return "the checkpoint names no node";
        if (checkpoint.Progress is { } p && !IsFraction(p))
            return $"progress {p} is not a fraction between 0 and 1";
        if (checkpoint.SizeBytes < 0 || checkpoint.Duration < TimeSpan.Zero || checkpoint.AppPause < TimeSpan.Zero)
            return "size and durations must not be negative";
        return null;
    }

    private static bool IsFraction(double value) => double.IsFinite(value) && value is >= 0 and <= 1;
}
