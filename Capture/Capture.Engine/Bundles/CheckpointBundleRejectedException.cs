namespace Caas.Capture.Engine.Bundles;

/// <summary>A checkpoint bundle failed verification; nothing was restored from it.</summary>
public sealed class CheckpointBundleRejectedException(string bundleDirectory, string reason)
    : Exception($"checkpoint bundle {bundleDirectory} refused: {reason}")
{
    public string BundleDirectory { get; } = bundleDirectory;
    public string Reason { get; } = reason;
}
