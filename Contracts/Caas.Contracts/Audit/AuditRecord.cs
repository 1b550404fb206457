namespace Caas.Contracts.Audit;

/// <summary>
/// One action someone (or the platform) took or tried: who, when, what (an <see cref="AuditActions"/> name and its
/// target) and how it ended. Never holds a secret: targets name ids and users, not passwords or tokens.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AuditRecord
{
    [Id(0)] public Guid Id { get; init; }
    [Id(1)] public DateTimeOffset At { get; init; }
    /// <summary>The user name, "platform" for the platform itself, or the name someone failed to log in as.</summary>
    [Id(2)] public required string User { get; init; }
    [Id(3)] public required string Action { get; init; }
    [Id(4)] public required string Target { get; init; }
    [Id(5)] public AuditOutcome Outcome { get; init; }
    /// <summary>Why it was refused or failed; null when it succeeded.</summary>
    [Id(6)] public string? Reason { get; init; }
}

public enum AuditOutcome { Succeeded = 0, Refused = 1, Failed = 2 }
