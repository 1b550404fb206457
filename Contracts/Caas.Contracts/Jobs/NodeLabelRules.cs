namespace Caas.Contracts.Jobs;

/// <summary>
/// What a node label looks like, for the labels agents carry and the ones jobs require alike, so that a label a
/// job asks for can always be written on an agent. Keys and values are short ASCII words: they appear in
/// configuration, URLs and the portal, and a lookalike Unicode label would silently never match.
/// </summary>
public static class NodeLabelRules
{
    public const int MaxLabels = 32;
    public const int MaxLength = 63;

    /// <returns>Problems, one sentence each naming <paramref name="what"/>; empty when every label is acceptable.</returns>
    public static IReadOnlyList<string> Validate(IReadOnlyDictionary<string, string>? labels, string what)
    {
        if (labels is null)
            return [$"'{what}' must be an object of label names to values (it may be empty)."];
        var problems = new List<string>();
        if (labels.Count > MaxLabels)
            problems.Add($"'{what}' has {labels.Count} labels; at most {MaxLabels} are allowed.");
        foreach (var (key, value) in labels)
        {
            if (!IsWord(key, allowSlash: true))
                problems.Add($"'{what}' label name \"{Shorten(key)}\" must be 1 to {MaxLength} letters, digits, '-', '_', '.' or '/'.");
            else if (!IsWord(value, allowSlash: false))
                problems.Add($"'{what}' label {key} has value \"{Shorten(value)}\"; values must be 1 to {MaxLength} letters, digits, '-', '_' or '.'.");
        }
        return problems;
    }

    /// <summary>Reads "key=value,key=value" (how an operator writes labels on a command line or in an environment variable).</summary>
    /// <exception cref="FormatException">An entry has no '=' or names a label twice.</exception>
    public static IReadOnlyDictionary<string, string> Parse(string? text)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
            return labels;
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = entry.IndexOf('=');
            if (equals <= 0)
                throw new FormatException($"Label \"{Shorten(entry)}\" must be written name=value.");
            if (!labels.TryAdd(entry[..equals].Trim(), entry[(equals + 1)..].Trim()))
                throw new FormatException($"Label {entry[..equals].Trim()} is given twice.");
        }
        return labels;
    }

    /// <returns>True when <paramref name="node"/> carries every label in <paramref name="required"/> with the same value.</returns>
    public static bool Satisfies(IReadOnlyDictionary<string, string> node, IReadOnlyDictionary<string, string> required) =>
        required.All(r => node.TryGetValue(r.Key, out var value) && string.Equals(value, r.Value, StringComparison.Ordinal));

    public static string Describe(IReadOnlyDictionary<string, string> labels) =>
        string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    private static bool IsWord(string? text, bool allowSlash) =>
        text is { Length: > 0 and <= MaxLength }
        && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' || (allowSlash && c == '/'));

    private static string Shorten(string? text) => text is null ? "null" : text.Length <= MaxLength ? text : text[..MaxLength] + "…";
}
