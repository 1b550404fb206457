namespace Caas.Contracts.Services;

public enum RejectionKind
{
    /// <summary>The request itself is wrong (HTTP 400).</summary>
    Invalid = 0,
    /// <summary>What it names does not exist (HTTP 404).</summary>
    NotFound = 1,
    /// <summary>It cannot be done in the current state (HTTP 409).</summary>
    Conflict = 2,
    /// <summary>The caller may not do it: not logged in, or a role too low (HTTP 403).</summary>
    Forbidden = 3,
}

/// <summary>A request refused with a reason for people; nothing was changed.</summary>
[GenerateSerializer]
public sealed class OperationRejectedException : Exception
{
    public OperationRejectedException(RejectionKind kind, string message) : base(message) => Kind = kind;

    [Id(0)] public RejectionKind Kind { get; }
}
