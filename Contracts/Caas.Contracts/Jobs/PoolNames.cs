namespace Caas.Contracts.Jobs;

/// <summary>What a pool name may be: it appears in specs, policies, labels and queue-safe places.</summary>
public static class PoolNames
{
    public static bool IsValid(string? pool) =>
        pool is { Length: > 0 and <= NodeLabelRules.MaxLength } && pool.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public static string Rule => $"1 to {NodeLabelRules.MaxLength} letters, digits, '-', '_' or '.'";
}
