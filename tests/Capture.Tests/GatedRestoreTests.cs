using Caas.Capture.Agent;
using Caas.Capture.Agent.Jobs;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Bundles;
using Caas.Capture.Engine.Progress;
using Caas.Contracts.Jobs;

namespace Caas.Capture.Tests;

/// <summary>
/// Restores whose page images are hashed while CRIU copies them, behind the shim's page gate, and restores of an incremental
/// checkpoint from the node's restore cache, with real CRIU on real jobs. Images are stored uncompressed here, so that the
/// page images CRIU reads are the bundle's own files (or the cache's) and a changed byte reaches CRIU.
/// </summary>
[Trait("Category", "EndToEnd")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class GatedRestoreTests : IAsyncLifetime
{
    private const int Mib = 32;
    private const string Node = "node-g";
    private static readonly TimeSpan Patience = LocalAgent.Patience;
    private LocalAgent _agent = null!;

    private NodeJobs Jobs => _agent.Jobs;
    private ProgressChannel Progress => _agent.Progress;
    private AgentPaths Paths => _agent.Paths;
    private RestoreCache Cache => _agent.Get<RestoreCache>();

    public Task InitializeAsync()
    {
        _agent = new LocalAgent(Node, new Dictionary<string, string?> { ["Retention:KeepLast"] = "10", ["Images:Compress"] = "false" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _agent.DisposeAsync();

    private Task Round(string jobId, JobHandle handle, int round) => _agent.Round(jobId, handle, round);

    /// <summary>memhog with checkpoint 1 (full) and 2 (incremental on 1, a round later), then ended: what is left is to restore checkpoint 2.</summary>
    private async Task<string> EndedMemhogWithIncrementalCheckpoint()
    {
        var (jobId, job) = await _agent.LaunchMemhog(Mib);
        await Round(jobId, job, 1);
        await Jobs.CheckpointAsync(jobId, 1, leaveRunning: true, CancellationToken.None);
        await Round(jobId, job, 2);
        await Jobs.CheckpointAsync(jobId, 2, leaveRunning: true, CancellationToken.None);
        Assert.Equal(["images/pages-1.img"], CachedFiles(jobId, 2));
        await KillAndForget(jobId);
        return jobId;
    }

    /// <summary>Kills the job and waits until the agent has seen it end, so that a restore does not replace a running copy.</summary>
    private async Task KillAndForget(string jobId)
    {
        Assert.True(await Jobs.KillAsync(jobId, CancellationToken.None));
        await Eventually.Get(() => Jobs.CollectExits().Any(e => e.JobId == jobId) ? "ended" : null, _ => true, Patience, $"the end of {jobId}");
    }

    /// <summary>Processes of the job, found by the job id the agent puts in their environment.</summary>
    private static List<int> ProcessesOf(string jobId)
    {
        var found = new List<int>();
        foreach (var directory in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
                continue;
            try
            {
                if (File.ReadAllText(Path.Combine(directory, "environ")).Split('\0').Contains($"CAAS_JOB_ID={jobId}"))
                    found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Ended meanwhile.
            }
        }
        return found;
    }

    private static void FlipByte(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        var value = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(value ^ 0xff));
    }

    private async Task<string> RestoreRefusal(string jobId, int sequence) =>
        (await Assert.ThrowsAsync<AgentRejectionException>(() => Jobs.RestoreAsync(jobId, sequence, Node, CancellationToken.None))).Message;

    /// <summary>What shows that a refused restore's job never ran: no process, no progress report, no output since.</summary>
    private async Task AssertNeverRan(string jobId, long outputBefore)
    {
        Assert.Empty(ProcessesOf(jobId));
        // A counter that ran even briefly reports and prints within a few of its 20 ms steps: give it ten times that.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Null(Progress.Get(jobId));
        Assert.Equal(outputBefore, new FileInfo(Path.Combine(Paths.JobDirectory(jobId), "stdout.log")).Length);
        Assert.Empty(ProcessesOf(jobId));
    }

    [Fact]
    public async Task A_page_image_changed_after_signing_is_refused_at_the_gate_while_criu_restores_and_the_job_never_runs()
    {
        var (jobId, _) = await _agent.Launch(NativeBinaries.Counter, "--target", "1000000", "--rate", "50");
        await Eventually.Get(() => Progress.Get(jobId), p => p.Fraction > 0, Patience, "the counter's first progress");
        var checkpoint = await Jobs.CheckpointAsync(jobId, 1, leaveRunning: true, CancellationToken.None);
        await KillAndForget(jobId);
        var pages = Directory.GetFiles(Paths.Checkpoint(jobId, 1).ImagesDirectory, "pages-*.img").Single();
        var size = new FileInfo(pages).Length;
        FlipByte(pages, size / 2);
        var output = new FileInfo(Path.Combine(Paths.JobDirectory(jobId), "stdout.log")).Length;

        var reason = await RestoreRefusal(jobId, 1);

        Assert.Equal($"checkpoint 1 of job {jobId} refused: images/{Path.GetFileName(pages)} chunk 0 (bytes 0-{size - 1}) does not match its SHA-256 in the manifest (the file was changed or damaged)", reason);
        // CRIU did restore the tree, and was stopped at the gate: the refusal did not come before it started.
        Assert.Contains("Aborting restore due to post-restore script", await File.ReadAllTextAsync(Path.Combine(Paths.JobDirectory(jobId), "restore.log")));
        await AssertNeverRan(jobId, output);
        Assert.False(Jobs.IsTracked(jobId));

        FlipByte(pages, size / 2);
        var restored = await Jobs.RestoreAsync(jobId, 1, Node, CancellationToken.None);
        var report = await Eventually.Get(() => Progress.Get(jobId), p => p.Fraction is not null, Patience, "the restored counter's progress");
        Assert.True(report.Fraction >= checkpoint.Progress, $"the restored counter reports {report.Fraction}, it was checkpointed at {checkpoint.Progress}");
        Assert.True(_agent.Get<ICheckpointEngine>().IsRunning(restored));
    }

    [Fact]
    public async Task An_incremental_checkpoint_is_restored_from_the_restore_cache_without_reading_its_parent()
    {
        var jobId = await EndedMemhogWithIncrementalCheckpoint();
        // Without its parent, the chain could not be decoded: only the cache can serve this restore.
        Directory.Delete(Paths.Checkpoint(jobId, 1).Directory, recursive: true);

        var restored = await Jobs.RestoreAsync(jobId, 2, Node, CancellationToken.None);

        // memhog checks all of its memory before it reports a round: round 3 means every page came back.
        await Round(jobId, restored, 3);
    }

    [Fact]
    public async Task A_changed_page_delta_is_refused_even_where_the_restore_cache_could_serve()
    {
        var jobId = await EndedMemhogWithIncrementalCheckpoint();
        var delta = Path.Combine(Paths.Checkpoint(jobId, 2).ImagesDirectory, "pages-1.img.delta");
        var size = new FileInfo(delta).Length;
        FlipByte(delta, size - 1);

        var reason = await RestoreRefusal(jobId, 2);

        Assert.Equal($"checkpoint 2 of job {jobId} refused: images/pages-1.img.delta chunk 0 (bytes 0-{size - 1}) does not match its SHA-256 in the manifest (the file was changed or damaged)", reason);
        Assert.Empty(ProcessesOf(jobId));
    }

    [Fact]
    public async Task A_changed_restore_cache_is_refused_at_the_gate_and_removed_and_the_next_restore_decodes_the_chain()
    {
        var jobId = await EndedMemhogWithIncrementalCheckpoint();
        FlipByte(Path.Combine(Cache.DirectoryFor(jobId, 2), "images", "pages-1.img"), 5 * 4096 + 17);

        var reason = await RestoreRefusal(jobId, 2);

        Assert.Equal($"checkpoint 2 of job {jobId} refused: the restore cache's images/pages-1.img page 5 (bytes 20480-24575) does not match its SHA-256 in the signed page index index/pages-1.img.sha256 (the cache was changed or damaged; it is removed, a new restore decodes the checkpoint's chain)", reason);
        Assert.Contains("Aborting restore due to post-restore script", await File.ReadAllTextAsync(Path.Combine(Paths.JobDirectory(jobId), "restore.log")));
        Assert.Empty(ProcessesOf(jobId));
        Assert.False(Directory.Exists(Cache.DirectoryFor(jobId, 2)));

        var restored = await Jobs.RestoreAsync(jobId, 2, Node, CancellationToken.None);
        await Round(jobId, restored, 3);
    }

    [Fact]
    public async Task Without_the_cache_a_parent_page_image_changed_after_signing_is_refused_at_the_gate_after_decoding_the_chain()
    {
        var jobId = await EndedMemhogWithIncrementalCheckpoint();
        // As on a node the checkpoints were moved to: no restore cache.
        Cache.Forget(jobId, 2);
        var parentPages = Path.Combine(Paths.Checkpoint(jobId, 1).ImagesDirectory, "pages-1.img");
        var size = new FileInfo(parentPages).Length;
        FlipByte(parentPages, 7 * 4096 + 3);

        var reason = await RestoreRefusal(jobId, 2);

        Assert.Equal($"checkpoint 2 of job {jobId} refused: images/pages-1.img chunk 0 (bytes 0-{size - 1}) does not match its SHA-256 in the manifest (the file was changed or damaged)", reason);
        Assert.Contains("Aborting restore due to post-restore script", await File.ReadAllTextAsync(Path.Combine(Paths.JobDirectory(jobId), "restore.log")));
        Assert.Empty(ProcessesOf(jobId));

        FlipByte(parentPages, 7 * 4096 + 3);
        var restored = await Jobs.RestoreAsync(jobId, 2, Node, CancellationToken.None);
        await Round(jobId, restored, 3);
    }

    [Fact]
    public async Task The_restore_cache_holds_the_newest_checkpoint_only_and_goes_with_it()
    {
        var (jobId, job) = await _agent.LaunchMemhog(Mib);
        await Round(jobId, job, 1);
        await Jobs.CheckpointAsync(jobId, 1, leaveRunning: true, CancellationToken.None);
        // A full checkpoint stores its page images as they are: there is nothing to cache.
        Assert.False(Directory.Exists(Cache.DirectoryFor(jobId, 1)));
        await Round(jobId, job, 2);
        await Jobs.CheckpointAsync(jobId, 2, leaveRunning: true, CancellationToken.None);
        Assert.Equal(["images/pages-1.img"], CachedFiles(jobId, 2));
        Assert.InRange(new FileInfo(Path.Combine(Cache.DirectoryFor(jobId, 2), "images", "pages-1.img")).Length, Mib << 20, (Mib + 16) << 20);

        await Round(jobId, job, 3);
        await Jobs.CheckpointAsync(jobId, 3, leaveRunning: true, CancellationToken.None);
        Assert.Equal(["3"], Directory.GetDirectories(Path.GetDirectoryName(Cache.DirectoryFor(jobId, 3))!).Select(Path.GetFileName));

        await Jobs.DeleteCheckpointAsync(jobId, 3, CancellationToken.None);
        Assert.False(Directory.Exists(Cache.DirectoryFor(jobId, 3)));
        // Without the cache (as on another node), checkpoint 2 is restored from its chain.
        await KillAndForget(jobId);
        var restored = await Jobs.RestoreAsync(jobId, 2, Node, CancellationToken.None);
        await Round(jobId, restored, 3);
    }

    private string[] CachedFiles(string jobId, int sequence)
    {
        var directory = Cache.DirectoryFor(jobId, sequence);
        return Directory.Exists(directory)
            ? [.. Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(directory, f)).Order(StringComparer.Ordinal)]
            : [];
    }
}
