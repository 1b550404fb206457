using Caas.Contracts.Jobs;

namespace Caas.Contracts.Views;

/// <summary>One checkpoint in the catalog: what it is, where it lies, whether it is known to restore, and whether it still exists.</summary>
[GenerateSerializer, Immutable]
public sealed record CheckpointCatalogEntry
{
    [Id(0)] public required string JobId { get; init; }
    [Id(1)] public required string JobName { get; init; }
    [Id(2)] public required CheckpointInfo Checkpoint { get; init; }
    [Id(3)] public CheckpointVerification Verification { get; init; }
    /// <summary>When it was verified, or when its verification failed.</summary>
    [Id(4)] public DateTimeOffset? VerifiedAt { get; init; }
    [Id(5)] public string? VerificationProblem { get; init; }
    /// <summary>Set once the bundle is gone: by whom (operator or retention), when and why.</summary>
    [Id(6)] public CheckpointRemoval? Removal { get; init; }
    [Id(7)] public DateTimeOffset? RemovedAt { get; init; }
    [Id(8)] public string? RemovalReason { get; init; }
    /// <summary>Bytes that crossed the network copying it to other nodes, all transfers together.</summary>
    [Id(100)] public long BytesMoved { get; init; }
    /// <summary>How long its newest restore took on the agent; null while it was never restored.</summary>
    [Id(101)] public TimeSpan? RestoreDuration { get; init; }

    public int Sequence => Checkpoint.Sequence;
    public bool Exists => Removal is null;
}
