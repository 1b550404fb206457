namespace Caas.Contracts.Audit;

/// <summary>Which audit records a query wants; null fields do not filter.</summary>
[GenerateSerializer, Immutable]
public sealed record AuditFilter
{
    [Id(0)] public string? User { get; init; }
    /// <summary>An action name, or a prefix ending in '.' ("job." for every job action).</summary>
    [Id(1)] public string? Action { get; init; }

    public bool Matches(AuditRecord record) =>
        (User is null || string.Equals(User, record.User, StringComparison.Ordinal))
        && (Action is null || (Action.EndsWith('.') ? record.Action.StartsWith(Action, StringComparison.Ordinal) : record.Action == Action));
}
