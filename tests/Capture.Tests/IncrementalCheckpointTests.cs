using Caas.Capture.Agent;
using Caas.Capture.Agent.Jobs;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Bundles;
using Caas.Capture.Engine.Progress;
using Caas.Contracts.Jobs;

namespace Caas.Capture.Tests;

/// <summary>
/// Incremental and compressed checkpoints of real jobs with real CRIU, through the agent's own job
/// operations: memhog changes exactly a tenth of its memory per SIGUSR1 and, with --verify, exits
/// instead of reporting a round when its memory is not what it left (so a wrong page after a restore fails the test).
/// </summary>
[Trait("Category", "EndToEnd")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class IncrementalCheckpointTests : IAsyncLifetime
{
    private const int Mib = 64;
    private const string Node = "node-i";
    private static readonly TimeSpan Patience = LocalAgent.Patience;
    private LocalAgent _agent = null!;

    private NodeJobs Jobs => _agent.Jobs;
    private ProgressChannel Progress => _agent.Progress;
    private AgentPaths Paths => _agent.Paths;

    public Task InitializeAsync()
    {
        _agent = new LocalAgent(Node, new Dictionary<string, string?> { ["Retention:KeepLast"] = "10" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _agent.DisposeAsync();

    private Task<(string JobId, JobHandle Handle)> LaunchMemhog() => _agent.LaunchMemhog(Mib);

    private Task Round(string jobId, JobHandle handle, int round) => _agent.Round(jobId, handle, round);

    private async Task<CheckpointManifest> Manifest(string jobId, int sequence) =>
        await new CheckpointBundleVerifier(new HmacManifestSigner(await File.ReadAllBytesAsync(_agent.KeyFile)))
            .VerifyAsync(Paths.Checkpoint(jobId, sequence), jobId, sequence);

    [Fact]
    public async Task After_a_tenth_of_its_memory_changed_the_second_checkpoint_stores_at_most_15_percent_and_restores_to_a_job_that_runs_on()
    {
        var (jobId, job) = await LaunchMemhog();
        await Round(jobId, job, 1);
        var full = await Jobs.CheckpointAsync(jobId, 1, leaveRunning: true, CancellationToken.None);
        await Round(jobId, job, 2);

        var incremental = await Jobs.CheckpointAsync(jobId, 2, leaveRunning: true, CancellationToken.None);

        var fullManifest = await Manifest(jobId, 1);
        var manifest = await Manifest(jobId, 2);
        Assert.Null(fullManifest.ParentSequence);
        // Random memory is stored raw: the sample says zstd would not pay.
        Assert.Contains(fullManifest.Files, f => f.Path.StartsWith("images/pages-", StringComparison.Ordinal) && f.Image is null && f.Size >= Mib << 20);
        Assert.Equal(1, manifest.ParentSequence);
        Assert.Contains(manifest.Files, f => f.Image?.Encoding == ImageEncodings.PageDelta);
        Assert.True(incremental.SizeBytes <= 0.15 * full.SizeBytes, $"the incremental checkpoint stores {incremental.SizeBytes} bytes, the full one {full.SizeBytes}");

        var restored = await Jobs.RestoreAsync(jobId, 2, Node, CancellationToken.None);

        Assert.NotEqual(job.Pid, restored.Pid);
        await Round(jobId, restored, 3);
        Assert.True(_agent.Get<ICheckpointEngine>().IsRunning(restored), "the restored memhog runs on after checking its memory");
    }

    [Fact]
    public async Task A_chain_of_three_checkpoints_restores_from_the_last_to_the_job_as_it_was_then()
    {
        var (jobId, job) = await LaunchMemhog();
        for (var sequence = 1; sequence <= 3; sequence++)
        {
            await Round(jobId, job, sequence);
            await Jobs.CheckpointAsync(jobId, sequence, leaveRunning: true, CancellationToken.None);
        }
        // Rounds the restore must undo: the restored job reports round 4 next, not round 6.
        await Round(jobId, job, 4);
        await Round(jobId, job, 5);

        var restored = await Jobs.RestoreAsync(jobId, 3, Node, CancellationToken.None);

        Assert.Equal([null, 1, 2], [(await Manifest(jobId, 1)).ParentSequence, (await Manifest(jobId, 2)).ParentSequence, (await Manifest(jobId, 3)).ParentSequence]);
        await Round(jobId, restored, 4);
    }

    [Fact]
    public async Task A_compressed_checkpoint_of_a_real_job_restores_and_the_job_continues_from_it()
    {
        var (jobId, job) = await _agent.Launch(NativeBinaries.Counter, "--target", "1000000", "--rate", "50");
        await Eventually.Get(() => Progress.Get(jobId), p => p.Fraction > 0.00002, Patience, "progress from the counter");

        var checkpoint = await Jobs.CheckpointAsync(jobId, 1, leaveRunning: true, CancellationToken.None);
        var manifest = await Manifest(jobId, 1);
        // The counter's memory is mostly untouched pages and small images: they compress.
        Assert.Contains(manifest.Files, f => f.Path.StartsWith("images/pages-", StringComparison.Ordinal) && f.Image?.Encoding == ImageEncodings.Zstd);
        Assert.True(manifest.TotalBytes < manifest.Files.Sum(f => f.Image?.Size ?? f.Size), "stored bytes are fewer than the images'");
        await Eventually.Get(() => Progress.Get(jobId), p => p.Fraction > checkpoint.Progress + 0.00005, Patience, "progress after the checkpoint");

        var restored = await Jobs.RestoreAsync(jobId, 1, Node, CancellationToken.None);

        Assert.NotEqual(job.Pid, restored.Pid);
        var resumed = await Eventually.Get(() => Progress.Get(jobId), p => p.Fraction is not null, Patience, "progress after the restore");
        Assert.True(resumed.Fraction >= checkpoint.Progress, $"the restored counter reports {resumed.Fraction}, the checkpoint was at {checkpoint.Progress}");
        Assert.True(resumed.Fraction < checkpoint.Progress + 0.0005, $"the restored counter reports {resumed.Fraction}: it went on from where it was killed, not from the checkpoint at {checkpoint.Progress}");
    }
}
