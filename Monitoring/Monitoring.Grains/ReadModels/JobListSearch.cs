using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.ReadModels;

/// <summary>
/// Filters and orders the job list for one page. A page of 10,000 jobs is one pass to filter and a partial sort of
/// what matched (only the rows up to the page's end are ordered), so the cost grows with the jobs, not with their square.
/// </summary>
internal static class JobListSearch
{
    public static Page<JobSummary> Page(IReadOnlyList<JobState> newestFirst, JobListQuery query, IReadOnlySet<string>? nodesInPool)
    {
        var matching = new List<JobState>();
        foreach (var job in newestFirst)
            if (Matches(job, query, nodesInPool))
                matching.Add(job);
        var end = (int)Math.Min((long)query.Skip + query.Take, matching.Count);
        IEnumerable<JobState> ordered;
        if (query.Sort == JobSortField.Submitted)
            // The list is already newest first; ascending is the same list reversed.
            ordered = query.Descending ? matching : Enumerable.Reverse(matching);
        else
        {
            var comparer = Comparer(query.Sort, query.Descending);
            // Ties keep submission order (newest first), then the job id: a stable total order, so pages never overlap.
            ordered = matching.Select((job, index) => (job, index))
                .OrderBy(x => x.job, comparer).ThenBy(x => x.index)
                .Take(end)
                .Select(x => x.job);
        }
        var items = ordered.Skip(query.Skip).Take(query.Take).Select(j => j.ToSummary()).ToArray();
        return new Page<JobSummary>(items, matching.Count, query.Skip, query.Take);
    }

    private static bool Matches(JobState job, JobListQuery query, IReadOnlySet<string>? nodesInPool)
    {
        if (query.Projects is { } projects && !projects.Contains(job.Project))
            return false;
        if (query.Status is { } status && job.Status != status)
            return false;
        if (query.SwappedOut is { } swapped && job.SwappedOut != swapped)
            return false;
        if (query.NodeId is { } node && !string.Equals(job.NodeId, node, StringComparison.Ordinal))
            return false;
        if (query.Pool is { } pool
            && !string.Equals(job.Spec?.Pool, pool, StringComparison.Ordinal)
            && !(job.NodeId is { } jobNode && nodesInPool?.Contains(jobNode) == true))
            return false;
        if (query.Text is { Length: > 0 } text && !MatchesText(job, text))
            return false;
        return true;
    }

    private static bool MatchesText(JobState job, string text) =>
        job.JobId.Contains(text, StringComparison.OrdinalIgnoreCase)
        || job.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
        || (job.Spec is { } spec && (spec.Command.Contains(text, StringComparison.OrdinalIgnoreCase)
            || spec.Args.Any(a => a.Contains(text, StringComparison.OrdinalIgnoreCase))));

    private static IComparer<JobState> Comparer(JobSortField sort, bool descending)
    {
        var sign = descending ? -1 : 1;
        Comparison<JobState> compare = sort switch
        {
            JobSortField.Name => (a, b) => sign * string.Compare(a.Name, b.Name, StringComparison.OrdinalIgnoreCase),
            JobSortField.Status => (a, b) => sign * string.CompareOrdinal(a.Status.ToString(), b.Status.ToString()),
            JobSortField.Node => (a, b) => NullsLast(a.NodeId, b.NodeId) ?? sign * string.CompareOrdinal(a.NodeId, b.NodeId),
            JobSortField.Progress => (a, b) => NullsLast(a.Progress, b.Progress) ?? sign * a.Progress!.Value.CompareTo(b.Progress!.Value),
            JobSortField.LastHeartbeat => (a, b) => NullsLast(a.LastHeartbeatAt, b.LastHeartbeatAt) ?? sign * a.LastHeartbeatAt!.Value.CompareTo(b.LastHeartbeatAt!.Value),
            _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, "not a job sort field"),
        };
        return Comparer<JobState>.Create(compare);
    }

    // Jobs without a value (never placed, never reported) come last whichever way the list is sorted; null when both have one.
    private static int? NullsLast(object? a, object? b) =>
        a is null ? (b is null ? 0 : 1) : b is null ? -1 : null;
}
