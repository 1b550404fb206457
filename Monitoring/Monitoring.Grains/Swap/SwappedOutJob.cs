namespace Caas.Monitoring.Grains.Swap;

/// <summary>A job waiting in storage for a slot of its pool, since <paramref name="SwappedOutAt"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record SwappedOutJob([property: Id(0)] string JobId, [property: Id(1)] int Priority, [property: Id(2)] DateTimeOffset SwappedOutAt);
