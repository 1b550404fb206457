using Caas.Contracts.Jobs;

namespace Caas.Contracts.Views;

/// <summary>One row of the job list.</summary>
[GenerateSerializer, Immutable]
public sealed record JobSummary
{
    [Id(0)] public required string JobId { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public JobStatus Status { get; init; }
    [Id(3)] public string? NodeId { get; init; }
    [Id(4)] public double? Progress { get; init; }
    [Id(5)] public DateTimeOffset SubmittedAt { get; init; }
    [Id(6)] public DateTimeOffset? LastHeartbeatAt { get; init; }
    [Id(7)] public int Checkpoints { get; init; }
    [Id(8)] public bool Stalled { get; init; }
    /// <summary>The pool the job asked for; null when any pool will do.</summary>
    [Id(80)] public string? Pool { get; init; }
    /// <summary>See <see cref="JobView.Suspended"/>.</summary>
    [Id(81)] public bool Suspended { get; init; }
    [Id(70)] public string Project { get; init; } = JobProjects.Default;
    /// <summary>See <see cref="JobView.SwappedOut"/>.</summary>
    [Id(150)] public bool SwappedOut { get; init; }
    /// <summary>See <see cref="JobView.SwappedOutFor"/>.</summary>
    [Id(151)] public string? SwappedOutFor { get; init; }
}
