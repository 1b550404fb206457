using Caas.Contracts.Jobs;

namespace Caas.Capture.Engine.Cpu;

/// <summary>
/// The restore pre-flight: would an image taken on one node run on another? A process that used a
/// CPU instruction the target lacks dies with SIGILL at some later point, and an older engine may not
/// read a newer one's images; both are refused up front with the reason.
/// </summary>
public static class RestoreCompatibility
{
    /// <param name="imageCpu">The CPU of the node that took the image, as its manifest recorded it.</param>
    /// <param name="imageEngine">The engine that wrote the image, e.g. "criu 4.2.1".</param>
    /// <param name="targetCpu">The CPU of the node that would restore it.</param>
    /// <param name="targetEngine">That node's engine, e.g. "criu 4.1.1".</param>
    /// <returns>Null when the target can restore the image, else why not, for people.</returns>
    public static string? Problem(CpuInfo imageCpu, string imageEngine, CpuInfo targetCpu, string? targetEngine)
    {
        if (EngineCompatibility.Problem(imageEngine, targetEngine) is { } engineProblem)
            return engineProblem;
        var missing = CpuCompatibility.MissingFlags(imageCpu.Flags, targetCpu.Flags);
        if (missing.Count > 0)
            return $"this node's CPU ({targetCpu.Model}) lacks {missing.Count} CPU flag(s) that the image's node ({imageCpu.Model}) had: {string.Join(' ', missing)}";
        return null;
    }
}
