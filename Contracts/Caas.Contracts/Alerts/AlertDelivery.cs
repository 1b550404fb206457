namespace Caas.Contracts.Alerts;

/// <summary>One notification of one alert to one webhook, and how far its delivery got.</summary>
[GenerateSerializer, Immutable]
public sealed record AlertDelivery
{
    [Id(0)] public required string Webhook { get; init; }
    /// <summary>"firing" or "resolved".</summary>
    [Id(1)] public required string Notification { get; init; }
    [Id(2)] public DeliveryStatus Status { get; init; }
    [Id(3)] public int Attempts { get; init; }
    [Id(4)] public string? LastError { get; init; }
    [Id(5)] public DateTimeOffset CreatedAt { get; init; }
    [Id(6)] public DateTimeOffset? LastAttemptAt { get; init; }
}
