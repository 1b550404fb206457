namespace Caas.Monitoring.Grains.Swap;

/// <summary>A job running in a full pool that a higher-priority job could swap out.</summary>
/// <param name="RunningSince">When its current process started or was restored (a swap-in included).</param>
/// <param name="SwappedIn">Whether that start was a swap-in: only those are protected by the cooldown.</param>
[GenerateSerializer, Immutable]
public sealed record SwapCandidate([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] int Priority, [property: Id(3)] DateTimeOffset RunningSince, [property: Id(4)] bool SwappedIn);
