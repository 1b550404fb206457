namespace Caas.Recovery.Sagas;

/// <summary>One thing that happened in an incident's recovery, for the portal's incident view.</summary>
public sealed record RecoveryStep(DateTimeOffset At, string Name, string Detail);
