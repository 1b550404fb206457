namespace Caas.Capture.Engine.Bundles;

/// <summary>Lists a bundle's files without ever following a symbolic link out of it.</summary>
internal static class BundleFiles
{
    /// <summary>Every regular file under the bundle except the manifest, as '/'-separated relative paths.</summary>
    /// <exception cref="CheckpointBundleRejectedException">On a symbolic link or anything that is neither file nor directory.</exception>
    public static SortedSet<string> List(string bundleDirectory)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        Walk(bundleDirectory, new DirectoryInfo(bundleDirectory), "", found);
        found.Remove(CheckpointBundle.ManifestFileName);
        return found;
    }

    private static void Walk(string bundleDirectory, DirectoryInfo directory, string prefix, SortedSet<string> found)
    {
        foreach (var entry in directory.EnumerateFileSystemInfos())
        {
            var relative = prefix + entry.Name;
            if (entry.LinkTarget is not null || entry.Attributes.HasFlag(FileAttributes.ReparsePoint))
                throw new CheckpointBundleRejectedException(bundleDirectory, $"{relative} is a symbolic link; bundles hold only regular files");
            switch (entry)
            {
                case DirectoryInfo sub:
                    Walk(bundleDirectory, sub, relative + "/", found);
                    break;
                case FileInfo file when IsRegular(file):
                    found.Add(relative);
                    break;
                default:
                    throw new CheckpointBundleRejectedException(bundleDirectory, $"{relative} is not a regular file");
            }
        }
    }

    private static bool IsRegular(FileInfo file) => Proc.Libc.IsRegularFile(file.FullName);
}
