using Caas.Contracts.Jobs;
using Caas.Contracts.Views;
using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests.Chaos;

/// <summary>
/// What must hold after any one fault (issue 7): every event the platform had acknowledged before the fault is still in
/// the job's stream, in place, and the stream has no gap; every job settles running (and making progress), completed,
/// or failed with a reason; and no job runs twice.
/// </summary>
public static class ChaosInvariants
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>The job's stream as recorded before the fault: what the platform had acknowledged.</summary>
    public static async Task<IReadOnlyList<TimelineEntry>> AcknowledgedAsync(CaasApi api, string jobId) => await api.GetEventsAsync(jobId);

    public static async Task AssertHoldAsync(SeparateProcessCluster cluster, IReadOnlyDictionary<string, IReadOnlyList<TimelineEntry>> acknowledged)
    {
        foreach (var (jobId, before) in acknowledged)
        {
            var settled = await SettledAsync(cluster.Api, jobId);
            var after = (await cluster.Api.GetEventsAsync(jobId)).OrderBy(e => e.Version).ToList();

            Assert.Equal(Enumerable.Range(0, after.Count).Select(v => (long)v), after.Select(e => e.Version));
            foreach (var entry in before)
            {
                var kept = after.SingleOrDefault(e => e.Version == entry.Version);
                Assert.True(kept is not null && kept.Type == entry.Type && kept.Data == entry.Data,
                    $"job {jobId}: acknowledged event {entry.Version} ({entry.Type}) is missing or changed after the fault");
            }
            // A copy left on a node that was written off is killed when that node next heartbeats, so it may take a moment.
            var expected = settled.Status == JobStatus.Running ? 1 : 0;
            var processes = await ProcessesSettledAsync(cluster, jobId, expected);
            Assert.True(processes.Count == expected,
                $"job {jobId} is {settled.Status} on {settled.NodeId} and runs as {processes.Count} processes ({string.Join(", ", processes)})");
        }
    }

    private static async Task<IReadOnlyList<int>> ProcessesSettledAsync(SeparateProcessCluster cluster, string jobId, int expected)
    {
        var deadline = DateTime.UtcNow + Patience;
        IReadOnlyList<int> processes;
        while ((processes = cluster.LiveProcessesOf(jobId)).Count != expected && DateTime.UtcNow < deadline)
            await Task.Delay(500);
        return processes;
    }

    /// <summary>Waits until the job is running with progress that moves, or has ended (completed, or failed with a reason).</summary>
    public static async Task<JobView> SettledAsync(CaasApi api, string jobId)
    {
        var deadline = DateTime.UtcNow + Patience;
        JobView? previous = null;
        while (true)
        {
            var job = await api.GetJobAsync(jobId);
            if (job.Status == JobStatus.Completed)
                return job;
            if (job.Status == JobStatus.Failed)
            {
                Assert.False(string.IsNullOrWhiteSpace(job.StatusReason), $"job {jobId} failed without a reason");
                return job;
            }
            if (job.Status == JobStatus.Running && !job.Stalled && previous is { Status: JobStatus.Running } && job.Progress > previous.Progress)
                return job;
            previous = job;
            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} did not settle within {Patience}: {job.Status} ({job.StatusReason}), progress {job.Progress}");
            await Task.Delay(1000);
        }
    }
}
