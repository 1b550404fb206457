using Caas.Contracts.Jobs;

namespace Caas.Contracts.Views;

/// <summary>
/// One page of the job list, filtered and sorted on the server. Null filters do not filter; filters combine with AND.
/// Ties in the sort fall back to the newest submission first, then the job id, so pages never overlap.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record JobListQuery
{
    [Id(0)] public int Skip { get; init; }
    [Id(1)] public int Take { get; init; } = 50;
    [Id(2)] public JobStatus? Status { get; init; }
    /// <summary>Jobs that must run in this pool or run on one of its nodes.</summary>
    [Id(3)] public string? Pool { get; init; }
    [Id(4)] public string? NodeId { get; init; }
    /// <summary>Case-insensitive substring of the job id, name or command line.</summary>
    [Id(5)] public string? Text { get; init; }
    [Id(6)] public JobSortField Sort { get; init; } = JobSortField.Submitted;
    [Id(7)] public bool Descending { get; init; } = true;
    /// <summary>Only jobs of these projects (the asking user's); every project when null (admins).</summary>
    [Id(8)] public IReadOnlyCollection<string>? Projects { get; init; }
    /// <summary>Only jobs swapped out (true) or not swapped out (false); all when null.</summary>
    [Id(210)] public bool? SwappedOut { get; init; }

    /// <summary>The most characters <see cref="Text"/> may have.</summary>
    public const int MaxTextLength = 200;
}
