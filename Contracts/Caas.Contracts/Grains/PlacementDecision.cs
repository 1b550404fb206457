namespace Caas.Contracts.Grains;

/// <summary>Where a job goes: a node, or why no node fits (for people: the job stays queued and shows this).</summary>
[GenerateSerializer, Immutable]
public sealed record PlacementDecision([property: Id(0)] string? NodeId, [property: Id(1)] string? Problem)
{
    public static PlacementDecision On(string nodeId) => new(nodeId, null);

    public static PlacementDecision Nowhere(string problem) => new(null, problem);
}
