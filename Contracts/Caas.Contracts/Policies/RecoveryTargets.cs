namespace Caas.Contracts.Policies;

/// <summary>
/// Where a recovery may put the job, as its policy allows: placement must avoid <see cref="AvoidNodeId"/> (the node that
/// stalled, starved or was lost), stay within <see cref="AllowedPools"/> (any when empty), try
/// <see cref="PreferredPools"/> first in order, and leave <see cref="CurrentPool"/> only when <see cref="AllowCrossPool"/>
/// (it must leave it when <see cref="RequireOtherPool"/>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RecoveryTargets
{
    [Id(0)] public string? AvoidNodeId { get; init; }
    /// <summary>The pool the job ran in when the incident began; null when unknown.</summary>
    [Id(1)] public string? CurrentPool { get; init; }
    [Id(2)] public IReadOnlyList<string> AllowedPools { get; init; } = [];
    [Id(3)] public IReadOnlyList<string> PreferredPools { get; init; } = [];
    [Id(4)] public bool AllowCrossPool { get; init; }
    [Id(5)] public bool RequireOtherPool { get; init; }
}
