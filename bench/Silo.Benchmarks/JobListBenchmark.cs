using System.Diagnostics;
using System.Globalization;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Contracts.Views;

namespace Caas.Silo.Benchmarks;

/// <summary>
/// portal.jobs_page_ms: the first page of the job list, filtered and sorted on the server, as the portal and
/// <c>GET /api/v1/jobs</c> ask for it, against a baseline that does the same filter, sort and page with LINQ over
/// the same jobs already in an array (the least a server could do per request). Both run alternately in one process.
/// </summary>
public static class JobListBenchmark
{
    public static async Task<(double PlatformMs, double BaselineMs, int Matching)> MeasureAsync(IJobQueries queries, string nodeId, int runs)
    {
        // Every job, fetched once through the read side in pages: the baseline's input.
        var all = new List<JobSummary>();
        for (var skip = 0; ; skip += 1000)
        {
            var page = await queries.ListJobsAsync(new JobListQuery { Skip = skip, Take = 1000 });
            all.AddRange(page.Items);
            if (all.Count >= page.Total || page.Items.Count == 0)
                break;
        }
        var jobs = all.ToArray();
        // Running jobs whose name, id or command holds "sim" on one node, most advanced first: a filter on three
        // fields and a sort by a value that changes with every heartbeat, so nothing can be precomputed.
        var query = new JobListQuery { Take = 50, Status = JobStatus.Running, NodeId = nodeId, Text = "sim", Sort = JobSortField.Progress, Descending = true };
        var platform = new List<double>();
        var baseline = new List<double>();
        var matching = 0;
        for (var run = 0; run < runs; run++)
        {
            var clock = Stopwatch.StartNew();
            var page = await queries.ListJobsAsync(query);
            platform.Add(clock.Elapsed.TotalMilliseconds);
            matching = page.Total;

            clock.Restart();
            var rows = jobs
                .Where(j => j.Status == JobStatus.Running && j.NodeId == nodeId
                    && (j.Name.Contains("sim", StringComparison.OrdinalIgnoreCase) || j.JobId.Contains("sim", StringComparison.OrdinalIgnoreCase)))
                .OrderByDescending(j => j.Progress).ThenByDescending(j => j.SubmittedAt)
                .Take(50)
                .ToArray();
            baseline.Add(clock.Elapsed.TotalMilliseconds);
            GC.KeepAlive(rows);
        }
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# job list: {jobs.Length} jobs, {matching} matching; first page {string.Join(" / ", platform.Select(ms => ms.ToString("0.0", CultureInfo.InvariantCulture)))} ms; baseline LINQ {string.Join(" / ", baseline.Select(ms => ms.ToString("0.0", CultureInfo.InvariantCulture)))} ms"));
        return (Median(platform), Median(baseline), matching);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
