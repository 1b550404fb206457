namespace Caas.Web.Cli;

/// <summary>
/// Where caas-cli keeps the token from `login`: ~/.config/caas/token (or $XDG_CONFIG_HOME/caas/token), readable by
/// its owner only, since it acts as that user on the platform.
/// </summary>
public sealed class TokenFile(string path)
{
    public string Path { get; } = path;

    public static string DefaultPath()
    {
        var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        if (string.IsNullOrWhiteSpace(config))
            config = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify), ".config");
        return System.IO.Path.Combine(config, "caas", "token");
    }

    public string? Read() => File.Exists(Path) ? File.ReadAllText(Path).Trim() is { Length: > 0 } token ? token : null : null;

    /// <returns>Whether there was a token to forget.</returns>
    public bool Delete()
    {
        if (!File.Exists(Path))
            return false;
        File.Delete(Path);
        return true;
    }

    public void Save(string token)
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        if (OperatingSystem.IsWindows())
        {
            // The profile directory is already private to its user there.
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path, token + Environment.NewLine);
            return;
        }
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // Created with owner-only permissions from the start, so the secret is never readable by others, not even briefly.
        var temporary = Path + ".new";
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(stream))
            writer.WriteLine(token);
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, Path, overwrite: true);
    }
}
