namespace Caas.Monitoring.Grains.Nodes;

/// <summary>A message a platform host publishes to itself through the broker, to know that messages still come in.</summary>
public sealed record HearingProbe(Guid HostId, DateTimeOffset SentAt);
