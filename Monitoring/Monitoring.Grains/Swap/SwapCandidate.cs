namespace Caas.Monitoring.Grains.Swap;

/// <summary>A job running in a full pool that a higher-priority job could swap out.</summary>
/// <param name="RunningSince">When its current process started or was restored (a swap-in included).</param>
/// <param name="SwappedIn">Whether that start was a swap-in: only those are protected by the cooldown.</param>
public sealed record SwapCandidate(string JobId, string NodeId, int Priority, DateTimeOffset RunningSince, bool SwappedIn);
