using Caas.Contracts.Jobs;
using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests.Chaos;

/// <summary>Disk full in an agent's image directory during a checkpoint: a small tmpfs over its checkpoints directory.</summary>
[Trait("Category", "Chaos")]
[Collection(StandaloneCollection.Name)]
public sealed class DiskFullTests(SeparateProcessCluster cluster) : IClassFixture<SeparateProcessCluster>
{
    [Fact]
    public async Task A_checkpoint_into_a_full_image_directory_is_refused_with_the_reason_the_job_runs_on_and_its_checkpoints_are_unchanged()
    {
        var job = await ClusterChaosJobs.StartCheckpointedAsync(cluster, "disk full", "cloud-a", TimeSpan.FromMinutes(5));
        var acknowledged = await ClusterChaosJobs.AcknowledgedAsync(cluster, job);
        var images = Path.Combine(cluster.Agent("cloud-a-1").DataDirectory, "agent", "checkpoints");
        var before = Directory.EnumerateFiles(images, "*", SearchOption.AllDirectories).Count();

        // A small file system over the directory (checkpoint 1 is hidden meanwhile), filled up to its last block.
        HostCommand.Run("mount", "-t", "tmpfs", "-o", "size=1m", "caas-chaos-full", images);
        try
        {
            FillUp(Path.Combine(images, "filler"));
            var sequence = await cluster.Api.CheckpointAsync(job.JobId);
            var events = await WaitForEventAsync(job.JobId, "CheckpointFailed", sequence);

            var running = await cluster.Api.GetJobAsync(job.JobId);
            Assert.Equal(JobStatus.Running, running.Status);
            Assert.Equal([1], running.Checkpoints.Select(c => c.Sequence));
            Assert.Contains("space", events.Data, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            HostCommand.Run("umount", images);
        }
        try
        {
            Assert.Equal(before, Directory.EnumerateFiles(images, "*", SearchOption.AllDirectories).Count());
            await ChaosInvariants.AssertHoldAsync(cluster, acknowledged);
            // With room again, the next checkpoint is taken.
            var next = await cluster.Api.CheckpointAsync(job.JobId);
            await cluster.Api.WaitForJobAsync(job.JobId, j => j.Checkpoints.Any(c => c.Sequence == next), ChaosInvariants.Patience, $"checkpoint {next} once there is room");
        }
        finally
        {
            await ClusterChaosJobs.KillAllAsync(cluster, job);
        }
    }

    private static void FillUp(string path)
    {
        using var filler = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                filler.Write(block);
                filler.Flush();
            }
        }
        catch (IOException) { }
    }

    private static string Tail(string log) => log.Length > 4000 ? log[^4000..] : log;

    private async Task<Caas.Contracts.Views.TimelineEntry> WaitForEventAsync(string jobId, string type, int sequence)
    {
        var deadline = DateTime.UtcNow + ChaosInvariants.Patience;
        while (true)
        {
            var found = (await cluster.Api.GetEventsAsync(jobId)).FirstOrDefault(e => e.Type == type && e.Data.Replace(" ", "").Contains($"\"sequence\":{sequence}"));
            if (found is not null) return found;
            Assert.True(DateTime.UtcNow < deadline, $"no {type} for checkpoint {sequence} within {ChaosInvariants.Patience}; the agent's log ends:\n{Tail(cluster.Agent("cloud-a-1").ReadLog())}");
            await Task.Delay(500);
        }
    }
}
