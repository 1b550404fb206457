namespace Caas.Monitoring.Grains.Swap;

/// <summary>A job waiting in storage for a slot of its pool, since <paramref name="SwappedOutAt"/>.</summary>
public sealed record SwappedOutJob(string JobId, int Priority, DateTimeOffset SwappedOutAt);
