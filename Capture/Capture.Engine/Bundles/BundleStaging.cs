using Caas.Capture.Engine.Proc;

namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// Makes a private copy of a bundle to verify and restore from: hard links (no bytes copied) where
/// the file system allows, copies otherwise. Verifying the copy closes the window between check and
/// use, and the engine's restore log lands in the copy instead of changing the bundle.
/// </summary>
public static class BundleStaging
{
    /// <exception cref="CheckpointBundleRejectedException">When the source holds a symbolic link or a special file.</exception>
    public static CheckpointBundle Stage(CheckpointBundle source, string stagingDirectory)
    {
        if (Directory.Exists(stagingDirectory))
            Directory.Delete(stagingDirectory, recursive: true);
        Directory.CreateDirectory(stagingDirectory);
        var manifest = new FileInfo(source.ManifestPath);
        if (manifest.Exists && manifest.LinkTarget is null)
            LinkOrCopy(manifest.FullName, Path.Combine(stagingDirectory, CheckpointBundle.ManifestFileName));
        foreach (var relative in BundleFiles.List(source.Directory))
        {
            var target = Path.Combine(stagingDirectory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            LinkOrCopy(Path.Combine(source.Directory, relative), target);
        }
        return new CheckpointBundle(stagingDirectory);
    }

    private static void LinkOrCopy(string existing, string created)
    {
        var error = Libc.Link(existing, created);
        if (error == 0)
            return;
        File.Copy(existing, created);
    }
}
