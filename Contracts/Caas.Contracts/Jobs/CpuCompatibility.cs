namespace Caas.Contracts.Jobs;

/// <summary>
/// Whether a CPU can run what an image was taken on: a process that used an instruction the target lacks dies with
/// SIGILL at some later point, so every flag of the image's CPU must be on the target's. One rule for the agent's
/// restore pre-flight and for recovery's choice of a node.
/// </summary>
public static class CpuCompatibility
{
    /// <returns>The image's CPU flags the target lacks, sorted; empty when it has them all.</returns>
    public static IReadOnlyList<string> MissingFlags(IEnumerable<string> imageFlags, IReadOnlySet<string> targetFlags) =>
        [.. imageFlags.Where(f => !targetFlags.Contains(f)).Distinct().Order(StringComparer.Ordinal)];

    /// <returns>The same, for people: "lacks 2 CPU flag(s) the image's node had: avx512f avx512vl".</returns>
    public static string Describe(IReadOnlyList<string> missing) =>
        $"lacks {missing.Count} CPU flag(s) the image's node had: {string.Join(' ', missing)}";
}
