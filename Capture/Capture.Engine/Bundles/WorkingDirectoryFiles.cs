namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// The files a job made in its working directory, carried in its bundle under <see cref="BundleDirectoryName"/>/ so that a
/// restore on another node finds them: CRIU records the path and size of every file the job holds open and refuses a
/// restore without them. They are listed and hashed in the signed manifest like the images. The state files the shim
/// keeps in the same directory (its pid, exit, logs) are the node's own and stay behind.
/// </summary>
public static class WorkingDirectoryFiles
{
    public const string BundleDirectoryName = "workdir";

    private static readonly HashSet<string> StateFiles = new(StringComparer.Ordinal)
    {
        "pid", "exit", "stdout.log", "stderr.log", "stdio", "shim.pid", "shim.log", "shim.lock", "dump-pending",
        "restore.pid", "restore.log", "criu-restore.out", "criu-dump.out", "dump.log",
    };

    private const UnixFileMode PermissionBits = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Copies the job's regular files (not symbolic links, not the shim's state, not restore staging) into the bundle.</summary>
    /// <returns>The permission bits of every file carried, by its path under the working directory, for the manifest.</returns>
    public static async Task<IReadOnlyDictionary<string, int>> CopyIntoAsync(string workingDirectory, CheckpointBundle bundle, CancellationToken cancellationToken)
    {
        var modes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await CopyTreeAsync(new DirectoryInfo(workingDirectory), Path.Combine(bundle.Directory, BundleDirectoryName), "", modes, cancellationToken);
        return modes;
    }

    private static async Task CopyTreeAsync(DirectoryInfo source, string target, string prefix, SortedDictionary<string, int> modes, CancellationToken cancellationToken)
    {
        foreach (var entry in source.EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null || (prefix.Length == 0 && (StateFiles.Contains(entry.Name) || entry.Name.StartsWith("restore-", StringComparison.Ordinal))))
                continue;
            if (entry is DirectoryInfo directory)
                await CopyTreeAsync(directory, Path.Combine(target, entry.Name), prefix + entry.Name + "/", modes, cancellationToken);
            else if (entry is FileInfo file && Proc.Libc.IsRegularFile(file.FullName))
            {
                Directory.CreateDirectory(target);
                await using var input = file.OpenRead();
                await using var output = File.Create(Path.Combine(target, entry.Name));
                await input.CopyToAsync(output, cancellationToken);
                modes[prefix + entry.Name] = (int)(file.UnixFileMode & PermissionBits);
            }
        }
    }

    /// <summary>
    /// Writes the carried files of a verified bundle back into <paramref name="workingDirectory"/>, replacing what is there
    /// (the image expects them as they were at the checkpoint). Each file is written beside its place and renamed over
    /// it, and no directory on the way may be a symbolic link, so nothing is written outside the directory.
    /// </summary>
    /// <param name="manifest">The bundle's verified manifest: only the files it lists are written.</param>
    /// <exception cref="IOException">A directory on the way is a symbolic link, or writing failed.</exception>
    public static async Task RestoreAsync(CheckpointBundle bundle, CheckpointManifest manifest, string workingDirectory, CancellationToken cancellationToken)
    {
        var prefix = BundleDirectoryName + "/";
        foreach (var file in manifest.Files.Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var relative = file.Path[prefix.Length..];
            var destination = Path.Combine(workingDirectory, relative);
            var directory = Path.GetDirectoryName(destination)!;
            for (var at = new DirectoryInfo(directory); at.FullName.Length >= workingDirectory.Length; at = at.Parent!)
            {
                if (at.Exists && at.LinkTarget is not null)
                    throw new IOException($"{at.FullName} is a symbolic link; the job's files are not written through it");
                if (at.Parent is null)
                    break;
            }
            Directory.CreateDirectory(directory);
            var temporary = destination + ".caas-restore";
            await using (var input = File.OpenRead(Path.Combine(bundle.Directory, file.Path)))
            await using (var output = File.Create(temporary))
                await input.CopyToAsync(output, cancellationToken);
            // The agent runs on Linux only (CRIU); the guard tells the analyzer so.
            if (OperatingSystem.IsLinux() && manifest.WorkingDirectoryModes?.GetValueOrDefault(relative) is { } mode)
                File.SetUnixFileMode(temporary, (UnixFileMode)mode & PermissionBits);
            File.Move(temporary, destination, overwrite: true);
        }
    }
}
