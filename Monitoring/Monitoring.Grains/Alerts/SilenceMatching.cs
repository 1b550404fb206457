using System.Text.RegularExpressions;
using Caas.Contracts.Alerts;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>Whether a silence's matchers cover an alert: every given matcher must match, names by glob (* and ?).</summary>
public static class SilenceMatching
{
    public static bool Matches(SilenceMatchers matchers, AlertKind kind, AlertSubject subject)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        ArgumentNullException.ThrowIfNull(subject);
        return (matchers.Kind is null || matchers.Kind == kind)
            && (matchers.JobId is null || string.Equals(matchers.JobId, subject.Id, StringComparison.Ordinal))
            && (matchers.Node is null || string.Equals(matchers.Node, subject.Node, StringComparison.Ordinal))
            && (matchers.Pool is null || string.Equals(matchers.Pool, subject.Pool, StringComparison.Ordinal))
            && (matchers.NameGlob is null || GlobMatches(matchers.NameGlob, subject.Name));
    }

    public static bool GlobMatches(string glob, string text)
    {
        var pattern = "^" + Regex.Escape(glob).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$";
        return Regex.IsMatch(text, pattern, RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromMilliseconds(100));
    }
}
