using Caas.Contracts.Alerts;
using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>What makes a silence request acceptable, as sentences for people; empty when it is.</summary>
public static class SilenceValidator
{
    public static readonly TimeSpan LongestDuration = TimeSpan.FromDays(30);
    public const int LongestReason = 500;
    public const int LongestMatcher = 200;

    public static IReadOnlyList<string> Validate(NewSilence silence)
    {
        ArgumentNullException.ThrowIfNull(silence);
        var problems = new List<string>();
        var m = silence.Matchers ?? new SilenceMatchers();
        if (m.Kind is null && m.JobId is null && m.Node is null && m.Pool is null && m.NameGlob is null)
            problems.Add("Give at least one matcher (kind, job, node, pool or name): a silence of everything would hide every alert.");
        if (m.Kind is { } kind && !Enum.IsDefined(kind))
            problems.Add($"'{(int)kind}' is not an alert kind.");
        if (m.JobId is { } jobId && !JobIds.IsValid(jobId))
            problems.Add($"'{jobId}' is not a job id (job- followed by 10 hex digits).");
        foreach (var (name, value) in new[] { ("node", m.Node), ("pool", m.Pool), ("name", m.NameGlob) })
        {
            if (value is not null && (value.Length == 0 || value.Length > LongestMatcher || value.Any(char.IsControl)))
                problems.Add($"The {name} matcher must be 1 to {LongestMatcher} printable characters.");
        }
        if (silence.Duration <= TimeSpan.Zero || silence.Duration > LongestDuration)
            problems.Add($"The duration must be more than 0 and at most {LongestDuration.TotalDays:0} days.");
        if (string.IsNullOrWhiteSpace(silence.Reason))
            problems.Add("Say why (reason): the next person on call reads it.");
        else if (silence.Reason.Length > LongestReason)
            problems.Add($"The reason must be at most {LongestReason} characters.");
        return problems;
    }
}
