namespace Caas.Capture.Engine.Bundles;

/// <summary>What <see cref="CheckpointImageEncoder"/> did: the stored files that are encoded images (by stored path), and how many of the page images' pages were stored rather than referenced.</summary>
public sealed record EncodedImages(IReadOnlyDictionary<string, EncodedImage> Files, long ImagePages, long NewPages);
