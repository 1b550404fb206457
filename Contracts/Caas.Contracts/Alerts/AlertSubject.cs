namespace Caas.Contracts.Alerts;

/// <summary>What an alert is about: a job (with its node and pool when known) or a node.</summary>
[GenerateSerializer, Immutable]
public sealed record AlertSubject(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Node,
    [property: Id(3)] string? Pool);
