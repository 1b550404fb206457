namespace Caas.Monitoring.Grains.Alerts;

/// <summary>A notification waiting in the outbox for its next attempt.</summary>
public sealed record PendingDelivery(long Id, string Url, string Body, int Attempts);
