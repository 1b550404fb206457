namespace Caas.Capture.Agent;

/// <summary>This machine's memory, for the capacity an agent offers when the operator does not say.</summary>
internal static class MachineMemory
{
    /// <returns>MemTotal from /proc/meminfo in bytes; 1 when it cannot be read, so the options still validate and the operator can set it.</returns>
    public static long TotalBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                // "MemTotal:       16318412 kB"
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal)
                    && long.TryParse(line["MemTotal:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), out var kib))
                    return kib * 1024;
            }
        }
        catch (IOException)
        {
        }
        return 1;
    }
}
