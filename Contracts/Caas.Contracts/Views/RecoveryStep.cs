namespace Caas.Contracts.Views;

/// <summary>One thing that happened in an incident's recovery, for the portal's incident view.</summary>
[GenerateSerializer, Immutable]
public sealed record RecoveryStep([property: Id(0)] DateTimeOffset At, [property: Id(1)] string Name, [property: Id(2)] string Detail);
