namespace Caas.Monitoring.Grains.Swap;

/// <summary>The running job to swap out for a higher-priority one, or why none may be (for the waiting job's reason).</summary>
[GenerateSerializer, Immutable]
public sealed record SwapChoice([property: Id(0)] SwapCandidate? Victim, [property: Id(1)] string? Problem)
{
    public static SwapChoice Of(SwapCandidate victim) => new(victim, null);

    public static SwapChoice None(string problem) => new(null, problem);
}
