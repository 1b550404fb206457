using Caas.Contracts.Views;

namespace Caas.Contracts.Alerts;

/// <summary>
/// Which alerts a silence covers: every given matcher must match (a missing one matches anything); at least one
/// must be given. <see cref="NameGlob"/> matches the subject's name with * and ?.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SilenceMatchers
{
    [Id(0)] public AlertKind? Kind { get; init; }
    [Id(1)] public string? JobId { get; init; }
    [Id(2)] public string? Node { get; init; }
    [Id(3)] public string? Pool { get; init; }
    [Id(4)] public string? NameGlob { get; init; }
}
