namespace Caas.Contracts.Bus;

/// <summary>An agent's answer to <see cref="CheckLaunch"/>: Problem says, for people, why it could not launch the spec.</summary>
[GenerateSerializer, Immutable]
public sealed record LaunchCheckResult([property: Id(0)] string NodeId, [property: Id(1)] bool Launchable, [property: Id(2)] string? Problem);
