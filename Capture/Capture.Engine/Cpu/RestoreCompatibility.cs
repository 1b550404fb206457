using System.Text.RegularExpressions;

namespace Caas.Capture.Engine.Cpu;

/// <summary>
/// The restore pre-flight: would an image taken on one node run on another? A process that used a
/// CPU instruction the target lacks dies with SIGILL at some later point, and an older engine may not
/// read a newer one's images; both are refused up front with the reason.
/// </summary>
public static partial class RestoreCompatibility
{
    /// <param name="imageCpu">The CPU of the node that took the image, as its manifest recorded it.</param>
    /// <param name="imageEngine">The engine that wrote the image, e.g. "criu 4.2.1".</param>
    /// <param name="targetCpu">The CPU of the node that would restore it.</param>
    /// <param name="targetEngine">That node's engine, e.g. "criu 4.1.1".</param>
    /// <returns>Null when the target can restore the image, else why not, for people.</returns>
    public static string? Problem(CpuInfo imageCpu, string imageEngine, CpuInfo targetCpu, string? targetEngine)
    {
        if (EngineProblem(imageEngine, targetEngine) is { } engineProblem)
            return engineProblem;
        var missing = imageCpu.Flags.Where(f => !targetCpu.Flags.Contains(f)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
            return $"this node's CPU ({targetCpu.Model}) lacks {missing.Count} CPU flag(s) that the image's node ({imageCpu.Model}) had: {string.Join(' ', missing)}";
        return null;
    }

    private static string? EngineProblem(string imageEngine, string? targetEngine)
    {
        if (targetEngine is null)
            return "this node's engine version is unknown, so it cannot be compared with the image's";
        var image = EngineVersion().Match(imageEngine);
        var target = EngineVersion().Match(targetEngine);
        if (!image.Success)
            return $"the image's engine \"{imageEngine}\" has no readable version";
        if (!target.Success)
            return $"this node's engine \"{targetEngine}\" has no readable version";
        if (image.Groups["name"].Value != target.Groups["name"].Value)
            return $"the image was written by {imageEngine}, this node runs {targetEngine}";
        var imageMajor = int.Parse(image.Groups["major"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var targetMajor = int.Parse(target.Groups["major"].Value, System.Globalization.CultureInfo.InvariantCulture);
        return targetMajor < imageMajor
            ? $"this node's engine ({targetEngine}) is an older major version than the image's ({imageEngine})"
            : null;
    }

    [GeneratedRegex(@"^(?<name>[a-z]+) (?<major>[0-9]{1,6})(\.[0-9]+)*$")]
    private static partial Regex EngineVersion();
}
