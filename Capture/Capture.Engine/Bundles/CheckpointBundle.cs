namespace Caas.Capture.Engine.Bundles;

/// <summary>Where a checkpoint lives: &lt;checkpoints&gt;/&lt;jobId&gt;/&lt;sequence&gt;/ with the engine's images in images/ and manifest.json next to them.</summary>
public sealed record CheckpointBundle(string Directory)
{
    public const string ManifestFileName = "manifest.json";
    public const string ImagesDirectoryName = "images";

    public string ImagesDirectory => Path.Combine(Directory, ImagesDirectoryName);
    public string ManifestPath => Path.Combine(Directory, ManifestFileName);

    public static CheckpointBundle For(string checkpointsRoot, string jobId, int sequence) =>
        new(Path.Combine(checkpointsRoot, jobId, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
