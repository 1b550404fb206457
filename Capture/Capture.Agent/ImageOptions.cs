namespace Caas.Capture.Agent;

/// <summary>How the agent stores checkpoint images; bound from "Caas:Agent:Images".</summary>
public sealed class ImageOptions
{
    /// <summary>zstd-compress image files where a sample says it saves at least a tenth; incompressible ones stay raw.</summary>
    public bool Compress { get; set; } = true;

    /// <summary>Store only the pages that changed since the job's previous checkpoint on this node (for checkpoints that leave the job running; one that stops it is always full).</summary>
    public bool Incremental { get; set; } = true;

    /// <summary>
    /// The most checkpoints a restore may have to read (one full one and its incremental descendants):
    /// every MaxChainLength-th checkpoint is full, which bounds restore work and what one lost bundle costs.
    /// </summary>
    public int MaxChainLength { get; set; } = 8;
}
