using Caas.Contracts.Bus;
using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Monitoring.EventStore;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Component")]
public sealed class MonitoringRestartTests
{
    [Fact]
    public async Task After_a_restart_the_job_list_is_rebuilt_and_a_running_job_that_stays_silent_is_still_found_stalled()
    {
        using var dir = new TempDirectory();
        var path = dir.File("events.db");
        var id = JobIds.New();
        var job = new JobEvents(id, MonitoringCluster.Start);
        await using (var store = new SqliteEventStore(path))
        {
            var serializer = new EventSerializer();
            IJobEvent[] history = [job.Submitted(spec: JobEvents.Spec(TimeSpan.FromSeconds(2), onStall: StallAction.AlertOnly)), job.Placed(), job.Started(0)];
            await store.AppendAsync(id, ExpectedVersion.NoStream, history.Select((e, version) => serializer.ToEventData(id, version, e)).ToArray());
        }

        var cluster = new MonitoringCluster(path);
        await cluster.InitializeAsync();
        try
        {
            // Silence counts from when the woken grain listens (whenever the restarted silo activates it), so the clock
            // moves on a second at a time until the threshold has passed since then.
            JobStallDetected? detected = null;
            for (var second = 1; detected is null; second++)
            {
                Assert.True(second <= 20, "no stall 20 s (fake) after the restart");
                cluster.Clock.Advance(TimeSpan.FromSeconds(1));
                var deadline = DateTime.UtcNow.AddSeconds(1.5);
                while (detected is null && DateTime.UtcNow < deadline)
                {
                    detected = cluster.Tap.All<JobStallDetected>(m => m.JobId == id).FirstOrDefault();
                    await Task.Delay(50);
                }
            }

            Assert.Equal((MonitoringCluster.Start, "node-1", StallAction.AlertOnly), (detected.LastProgressAt, detected.NodeId, detected.Action));
            var listed = await cluster.Silo.GetRequiredService<IJobQueries>().ListJobsAsync(0, 10);
            Assert.Equal((id, JobStatus.Running), (Assert.Single(listed.Items).JobId, listed.Items[0].Status));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }
}
