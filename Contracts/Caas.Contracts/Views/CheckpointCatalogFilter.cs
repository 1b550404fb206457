using Caas.Contracts.Jobs;

namespace Caas.Contracts.Views;

/// <summary>Which checkpoints a catalog query wants; null fields do not filter.</summary>
[GenerateSerializer, Immutable]
public sealed record CheckpointCatalogFilter
{
    [Id(0)] public string? JobId { get; init; }
    [Id(1)] public string? NodeId { get; init; }
    [Id(2)] public CheckpointVerification? Verification { get; init; }
    /// <summary>Also list checkpoints whose bundles are gone.</summary>
    [Id(3)] public bool IncludeRemoved { get; init; } = true;
    /// <summary>Only checkpoints of jobs in these projects; every project when null.</summary>
    [Id(70)] public IReadOnlyList<string>? Projects { get; init; }
}
