namespace Caas.Capture.Engine;

/// <summary>The release of the kernel this node runs (what `uname -r` prints): CRIU's abilities depend on it.</summary>
public static class KernelRelease
{
    public const string ProcPath = "/proc/sys/kernel/osrelease";

    private static readonly Lazy<string> Read = new(() =>
    {
        try
        {
            return File.ReadAllText(ProcPath).Trim();
        }
        catch (IOException)
        {
            return Environment.OSVersion.Version.ToString();
        }
    });

    public static string Value => Read.Value;
}
