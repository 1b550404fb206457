using System.Text.Json.Serialization;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Caas.Web.Portal.Api;

/// <summary>
/// Body of POST /api/v1/silences: matchers (kind, job, node, pool, name glob), how long (<c>for</c>, e.g. "90m", "2h",
/// "1d") and why.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed partial record SilenceRequest(string? Kind = null, string? Job = null, string? Node = null, string? Pool = null, string? Name = null, string? For = null, string? Reason = null)
{
    /// <exception cref="OperationRejectedException">The kind or duration cannot be read (Invalid).</exception>
    public NewSilence ToNewSilence()
    {
        AlertKind? kind = null;
        if (Kind is not null)
        {
            if (!Enum.TryParse<AlertKind>(Kind, ignoreCase: true, out var parsed) || char.IsDigit(Kind[0]))
                throw new OperationRejectedException(RejectionKind.Invalid, $"'kind' must be one of {string.Join(", ", Enum.GetNames<AlertKind>())}; got '{Kind}'.");
            kind = parsed;
        }
        return new NewSilence
        {
            Matchers = new SilenceMatchers { Kind = kind, JobId = Job, Node = Node, Pool = Pool, NameGlob = Name },
            Duration = ParseDuration(For),
            Reason = Reason ?? "",
        };
    }

    /// <summary>"30s", "90m", "2h", "1d", or combinations such as "1h30m".</summary>
    public static TimeSpan ParseDuration(string? text)
    {
        var match = text is null ? null : DurationPattern().Match(text.Trim());
        if (match is null || !match.Success || match.Length == 0)
            throw new OperationRejectedException(RejectionKind.Invalid, $"'for' must be a duration such as 30m, 2h or 1d; got '{text}'.");
        var total = TimeSpan.Zero;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var number = long.Parse(part.Value[..^1], CultureInfo.InvariantCulture);
            if (number > 100_000)
                throw new OperationRejectedException(RejectionKind.Invalid, $"'for' is too long: '{text}'.");
            total += part.Value[^1] switch
            {
                's' => TimeSpan.FromSeconds(number),
                'm' => TimeSpan.FromMinutes(number),
                'h' => TimeSpan.FromHours(number),
                _ => TimeSpan.FromDays(number),
            };
        }
        return total;
    }

    [GeneratedRegex(@"^(?<part>[0-9]{1,6}[smhd])+$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
