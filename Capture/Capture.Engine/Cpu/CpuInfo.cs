namespace Caas.Capture.Engine.Cpu;

/// <summary>What a node's CPU offers a restored image: its model (for people) and the feature flags every core has.</summary>
public sealed record CpuInfo(string Model, IReadOnlySet<string> Flags)
{
    public const string ProcPath = "/proc/cpuinfo";
    public const string UnknownModel = "unknown";

    public static CpuInfo ReadThisNode() => Parse(File.ReadAllText(ProcPath));

    /// <summary>
    /// Reads /proc/cpuinfo text. Flags are those of every processor listed (their intersection):
    /// a restored process may be scheduled on any core, so a flag only some cores have cannot be relied on.
    /// x86 names them "flags", arm64 "Features".
    /// </summary>
    public static CpuInfo Parse(string procCpuinfo)
    {
        string? model = null;
        HashSet<string>? common = null;
        foreach (var line in procCpuinfo.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
                continue;
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "model name" or "Model" or "cpu model" when model is null && value.Length > 0:
                    model = value;
                    break;
                case "flags" or "Features":
                    var flags = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (common is null)
                        common = new HashSet<string>(flags, StringComparer.Ordinal);
                    else
                        common.IntersectWith(flags);
                    break;
            }
        }
        return new CpuInfo(model ?? UnknownModel, new SortedSet<string>(common ?? [], StringComparer.Ordinal));
    }
}
