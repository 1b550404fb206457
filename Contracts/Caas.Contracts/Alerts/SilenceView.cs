namespace Caas.Contracts.Alerts;

/// <summary>A silence as people see it; active from its creation until it ends or is expired by someone.</summary>
[GenerateSerializer, Immutable]
public sealed record SilenceView
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required SilenceMatchers Matchers { get; init; }
    [Id(2)] public DateTimeOffset CreatedAt { get; init; }
    [Id(3)] public DateTimeOffset EndsAt { get; init; }
    [Id(4)] public required string CreatedBy { get; init; }
    [Id(5)] public required string Reason { get; init; }
    [Id(6)] public string? ExpiredBy { get; init; }
    [Id(7)] public DateTimeOffset? ExpiredAt { get; init; }

    public bool IsActiveAt(DateTimeOffset now) => ExpiredAt is null && now < EndsAt;
}
