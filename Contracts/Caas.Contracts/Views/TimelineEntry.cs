namespace Caas.Contracts.Views;

/// <summary>One event of a job's stream as the timeline shows it.</summary>
[GenerateSerializer, Immutable]
public sealed record TimelineEntry
{
    /// <summary>Position in the job's stream, from 0.</summary>
    [Id(0)] public long Version { get; init; }
    [Id(1)] public required string Type { get; init; }
    [Id(2)] public DateTimeOffset At { get; init; }
    /// <summary>One line for people, e.g. "checkpoint 3 taken: 12.4 MiB in 0.41 s".</summary>
    [Id(3)] public required string Summary { get; init; }
    /// <summary>The stored JSON payload.</summary>
    [Id(4)] public required string Data { get; init; }
}
