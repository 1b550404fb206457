namespace Caas.Contracts.Jobs;

/// <summary>Projects group jobs and the users who may see and steer them; every job belongs to exactly one.</summary>
public static class JobProjects
{
    /// <summary>The project of a job submitted without one, and of every job recorded before projects existed.</summary>
    public const string Default = "default";
    public const int MaxNameLength = 64;

    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= MaxNameLength } && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.');

    /// <param name="field">The field or argument that carried the name, as the user wrote it.</param>
    public static string NameRule(string field) =>
        $"'{field}' must be 1 to {MaxNameLength} lower-case letters, digits, '-', '_' or '.', e.g. \"{Default}\" or \"climate-sim\".";
}
