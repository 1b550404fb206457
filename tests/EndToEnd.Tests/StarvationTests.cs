using System.Globalization;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.EndToEnd.Tests;

/// <summary>
/// A real CPU-bound job (cruncher) learns its pace, then a cgroup CPU quota takes 90 % of its CPU: the platform must
/// call it starved with cause cpu, and call it over when the quota is lifted.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class StarvationTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_job_throttled_by_a_cpu_quota_is_starved_with_cause_cpu_and_recovers_when_the_quota_goes()
    {
        await using var host = await StandaloneHost.StartAsync();
        var job = await host.Api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("cruncher"),
            args = new[] { "--units", "1000000", "--unit-work", "2000000" },
            name = "e2e starvation",
            starvationWindowSeconds = Window.TotalSeconds,
        });
        var running = await host.Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running");
        // Two windows to learn its pace, and a margin for the first heartbeats.
        await Task.Delay(Window * 2 + TimeSpan.FromSeconds(2));
        Assert.DoesNotContain(await host.Api.GetAlertsAsync(), a => a.JobId == job.JobId);

        using (var quota = CpuQuota.Create(percentOfOneCpu: 5))
        {
            quota.Add(running.Pid!.Value);
            var throttledAt = DateTimeOffset.UtcNow;

            var alert = await host.Api.WaitForAlertAsync(job.JobId, a => a.Kind == AlertKind.Starved, Patience, "a starvation alert");

            Assert.Null(alert.ResolvedAt);
            Assert.StartsWith("starved (cpu)", alert.Message);
            Assert.Contains("CPU quota throttled it", alert.Message);
            // Detection latency: within the window plus two heartbeat intervals (1 s each) of the throttling, and a
            // second for the API to show it.
            Assert.InRange(alert.RaisedAt - throttledAt, TimeSpan.Zero, Window + TimeSpan.FromSeconds(3));
        }

        var resolved = await host.Api.WaitForAlertAsync(job.JobId, a => a.Kind == AlertKind.Starved && a.ResolvedAt is not null, Patience, "the starvation alert resolved");
        Assert.True(resolved.ResolvedAt > resolved.RaisedAt);
        var events = await host.Api.GetEventsAsync(job.JobId);
        Assert.Contains(events, e => e.Type == "JobStarved" && e.Summary.Contains("starved (cpu)", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Type == "JobStarvationEnded");
        Assert.Equal(JobStatus.Running, (await host.Api.GetJobAsync(job.JobId)).Status);
        await host.Api.KillAsync(job.JobId);
    }

    /// <summary>A cgroup v1 CPU quota of the test's own; processes put in it go back to the root cgroup when it is disposed.</summary>
    private sealed class CpuQuota : IDisposable
    {
        private const string Root = "/sys/fs/cgroup/cpu";
        private readonly string _path = Path.Join(Root, $"caas-e2e-{Guid.NewGuid():N}");

        public static CpuQuota Create(int percentOfOneCpu)
        {
            var quota = new CpuQuota();
            Directory.CreateDirectory(quota._path);
            File.WriteAllText(Path.Join(quota._path, "cpu.cfs_period_us"), "100000");
            File.WriteAllText(Path.Join(quota._path, "cpu.cfs_quota_us"), (percentOfOneCpu * 1000).ToString(CultureInfo.InvariantCulture));
            return quota;
        }

        public void Add(int pid) => File.WriteAllText(Path.Join(_path, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));

        public void Dispose()
        {
            foreach (var pid in File.ReadAllLines(Path.Join(_path, "cgroup.procs")))
            {
                try
                {
                    File.WriteAllText(Path.Join(Root, "cgroup.procs"), pid);
                }
                catch (IOException)
                {
                    // The process ended meanwhile.
                }
            }
            Directory.Delete(_path);
        }
    }
}
