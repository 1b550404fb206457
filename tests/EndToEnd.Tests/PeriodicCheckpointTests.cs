using Caas.Contracts.Jobs;

namespace Caas.EndToEnd.Tests;

[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class PeriodicCheckpointTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private const double IntervalSeconds = 3;

    [Fact]
    public async Task A_job_with_a_short_fixed_interval_gets_real_periodic_checkpoints_while_it_keeps_running()
    {
        await using var host = await StandaloneHost.StartAsync();
        var api = host.Api;
        var spec = new
        {
            command = RepositoryLayout.NativeBinary("counter"),
            args = new[] { "--target", CounterJob.Target.ToString(), "--rate", "20" },
            name = "e2e periodic checkpoints",
            policy = new { checkpoints = new { mode = "Fixed", intervalSeconds = IntervalSeconds } },
        };

        var job = await api.SubmitAsync(spec);
        var running = await api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Pid is not null, Patience, "running");
        Assert.Equal("fixed: every 3 s", running.CheckpointInterval!.Explanation);
        Assert.Equal("job", running.Policy!.Source);

        // Nobody asks for a checkpoint: the job's own schedule takes them, and the job runs on in the same process.
        var checkpointed = await api.WaitForJobAsync(job.JobId, j => j.Checkpoints.Count >= 3, Patience, "three periodic checkpoints");
        Assert.All(checkpointed.Checkpoints, c => Assert.True(c.LeaveRunning, $"checkpoint {c.Sequence} stopped the job"));
        Assert.All(checkpointed.Checkpoints, c => Assert.True(c.SizeBytes > 0, $"checkpoint {c.Sequence} has no bytes"));
        Assert.Equal(running.Pid, checkpointed.Pid);
        var progressed = await api.WaitForJobAsync(job.JobId, j => j.Progress > checkpointed.Checkpoints.Max(c => c.Progress), Patience, "progress past the last checkpoint");
        Assert.Equal((JobStatus.Running, running.Pid), (progressed.Status, progressed.Pid));

        // Each request comes an interval after the one before, never sooner.
        var requests = (await api.GetEventsAsync(job.JobId)).Where(e => e.Type == "CheckpointRequested").Select(e => e.At).Order().ToArray();
        Assert.True(requests.Length >= 3, $"{requests.Length} checkpoint requests recorded");
        Assert.All(requests.Zip(requests.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromSeconds(IntervalSeconds),
            $"checkpoints requested at {pair.First:O} and {pair.Second:O}, closer than the interval"));

        await api.KillAsync(job.JobId);
    }
}
