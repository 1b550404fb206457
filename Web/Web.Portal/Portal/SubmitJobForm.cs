using System.Globalization;
using System.Text.RegularExpressions;

namespace Caas.Web.Portal.Portal;

/// <summary>
/// What the submit page's fields hold, as typed. <see cref="Build"/> turns it into a <see cref="JobSpec"/> or
/// into problems keyed by field, using the same <see cref="JobSpecValidator"/> the platform applies.
/// </summary>
public sealed partial class SubmitJobForm
{
    public const string CommandField = "command";
    public const string ArgsField = "args";
    public const string EnvField = "env";
    public const string WorkingDirectoryField = "workingDirectory";
    public const string StallThresholdField = "stallThreshold";
    public const string NameField = "name";
    public const string ProjectField = "project";
    /// <summary>Problems that belong to no single field.</summary>
    public const string FormField = "form";

    public string Name { get; set; } = "";
    public string Project { get; set; } = JobProjects.Default;
    public string Command { get; set; } = "";
    /// <summary>One argument per line, taken literally (no quoting); blank lines are skipped.</summary>
    public string ArgsText { get; set; } = "";
    /// <summary>KEY=VALUE lines; blank lines are skipped.</summary>
    public string EnvText { get; set; } = "";
    public string WorkingDirectory { get; set; } = "";
    public string StallThresholdSeconds { get; set; } = JobDefaults.StallThreshold.TotalSeconds.ToString(CultureInfo.InvariantCulture);
    public StallAction OnStall { get; set; } = StallAction.RestoreFromLastCheckpoint;

    public (JobSpec? Spec, IReadOnlyDictionary<string, IReadOnlyList<string>> Problems) Build()
    {
        var problems = new Dictionary<string, List<string>>();
        void Add(string field, string problem)
        {
            if (!problems.TryGetValue(field, out var list))
                problems[field] = list = [];
            list.Add(problem);
        }

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (line, number) in Lines(EnvText))
        {
            var equals = line.IndexOf('=');
            if (equals <= 0)
            {
                Add(EnvField, $"Line {number} \"{line}\" is not KEY=VALUE.");
                continue;
            }
            var key = line[..equals].Trim();
            if (!env.TryAdd(key, line[(equals + 1)..]))
                Add(EnvField, $"Line {number} sets {key} again.");
        }

        var threshold = JobDefaults.StallThreshold;
        if (!double.TryParse(StallThresholdSeconds.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            || double.IsNaN(seconds) || double.IsInfinity(seconds))
            Add(StallThresholdField, "Give the stall threshold as a number of seconds, e.g. 300.");
        else if (seconds > TimeSpan.MaxValue.TotalSeconds / 2 || seconds < 0)
            Add(StallThresholdField, "The stall threshold is out of range.");
        else
            threshold = TimeSpan.FromSeconds(seconds);

        var spec = new JobSpec
        {
            Command = Command.Trim(),
            Args = Lines(ArgsText).Select(l => l.Line).ToList(),
            Env = env,
            WorkingDirectory = string.IsNullOrWhiteSpace(WorkingDirectory) ? null : WorkingDirectory.Trim(),
            Name = string.IsNullOrWhiteSpace(Name) ? null : Name.Trim(),
            StallThreshold = threshold,
            OnStall = OnStall,
            Project = Project.Trim(),
        };
        foreach (var problem in JobSpecValidator.Validate(spec))
        {
            // The validator names the field it complains about in quotes: 'command', 'env', ...
            var field = FieldName().Match(problem) is { Success: true } m ? m.Groups[1].Value : FormField;
            // A threshold we could not even parse already has its own message.
            if (field == StallThresholdField && problems.ContainsKey(StallThresholdField))
                continue;
            Add(field, problem);
        }
        var result = problems.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value);
        return (result.Count == 0 ? spec : null, result);
    }

    private static IEnumerable<(string Line, int Number)> Lines(string text) =>
        text.Split('\n')
            .Select((line, index) => (Line: line.TrimEnd('\r'), Number: index + 1))
            .Where(l => !string.IsNullOrWhiteSpace(l.Line));

    [GeneratedRegex("^'([A-Za-z]+)'")]
    private static partial Regex FieldName();
}
