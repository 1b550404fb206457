using System.Security.Cryptography;

namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// The platform's image signing key on disk: 32 random bytes, readable by the owner only, created
/// on first use. The key's bytes never leave this class except into the signer.
/// </summary>
public static class ImageKeyFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <returns>The key, and whether this call created the file.</returns>
    /// <exception cref="InvalidOperationException">When the file exists but is not a usable key (wrong size, a link, open to group or others).</exception>
    public static (byte[] Key, bool Created) LoadOrCreate(string path)
    {
        if (!Path.IsPathFullyQualified(path))
            throw new InvalidOperationException($"the image key file must be an absolute path, not \"{path}\"");
        if (!File.Exists(path) && new FileInfo(path).LinkTarget is null)
        {
            if (TryCreate(path))
                return (Load(path), true);
        }
        return (Load(path), false);
    }

    /// <returns>False when another process created the file first; its key is then the one to use.</returns>
    private static bool TryCreate(string path)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("image keys are created with Unix permissions; the agent runs on Linux");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = OwnerOnly,
            }))
            {
                stream.Write(RandomNumberGenerator.GetBytes(HmacManifestSigner.KeyBytes));
                stream.Flush(flushToDisk: true);
            }
            // Never overwrites: two agents starting at once end up with the same key, the first one's.
            File.Move(temporary, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static byte[] Load(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
            throw new InvalidOperationException($"the image key file {path} is a symbolic link; it must be a regular file");
        if (!info.Exists)
            throw new InvalidOperationException($"the image key file {path} does not exist");
        if ((info.UnixFileMode & GroupOrOthers) != 0)
            throw new InvalidOperationException($"the image key file {path} is accessible to group or others (mode {Convert.ToString((int)info.UnixFileMode, 8)}); run: chmod 600 {path}");
        if (info.Length != HmacManifestSigner.KeyBytes)
            throw new InvalidOperationException($"the image key file {path} holds {info.Length} bytes, not {HmacManifestSigner.KeyBytes}; restore the platform's key, or delete the file to make a new one (bundles signed with the old key are then refused)");
        return File.ReadAllBytes(path);
    }
}
