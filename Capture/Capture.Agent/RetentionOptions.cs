namespace Caas.Capture.Agent;

/// <summary>How many checkpoints of each job the agent keeps; bound from "Caas:Agent:Retention".</summary>
public sealed class RetentionOptions
{
    public const long DefaultMaxBytesPerJob = 20L << 30;

    /// <summary>The newest checkpoints kept per job.</summary>
    public int KeepLast { get; set; } = 5;

    /// <summary>Bytes on disk the kept checkpoints of one job may take; the newest verified one is kept even when it alone is larger.</summary>
    public long MaxBytesPerJob { get; set; } = DefaultMaxBytesPerJob;
}
