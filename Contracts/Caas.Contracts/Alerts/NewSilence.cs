namespace Caas.Contracts.Alerts;

/// <summary>A request to silence alerts: what to match, for how long, and why.</summary>
[GenerateSerializer, Immutable]
public sealed record NewSilence
{
    [Id(0)] public SilenceMatchers Matchers { get; init; } = new();
    [Id(1)] public TimeSpan Duration { get; init; }
    [Id(2)] public string Reason { get; init; } = "";
}
