using System.Globalization;
using System.Text.RegularExpressions;

namespace Caas.Contracts.Jobs;

/// <summary>
/// Whether a node's checkpoint engine can read an image another engine wrote: same engine, and a major version no older
/// than the writer's. One rule for the agent's restore pre-flight and for recovery's placement, which should not pick a
/// node whose agent would only refuse the image.
/// </summary>
public static partial class EngineCompatibility
{
    /// <param name="imageEngine">The engine that wrote the image, e.g. "criu 4.2.1".</param>
    /// <param name="targetEngine">The engine of the node that would restore it, e.g. "criu 4.1.1"; null when unknown.</param>
    /// <returns>Null when the target engine can restore the image, else why not, for people.</returns>
    public static string? Problem(string imageEngine, string? targetEngine)
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
        var imageMajor = int.Parse(image.Groups["major"].Value, CultureInfo.InvariantCulture);
        var targetMajor = int.Parse(target.Groups["major"].Value, CultureInfo.InvariantCulture);
        return targetMajor < imageMajor
            ? $"this node's engine ({targetEngine}) is an older major version than the image's ({imageEngine})"
            : null;
    }

    [GeneratedRegex(@"^(?<name>[a-z]+) (?<major>[0-9]{1,6})(\.[0-9]+)*$")]
    private static partial Regex EngineVersion();
}
