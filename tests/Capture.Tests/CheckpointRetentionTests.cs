using Caas.Capture.Agent;
using Caas.Capture.Agent.Jobs;
using Caas.Capture.Engine.Bundles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Tests;

/// <summary>Retention over real bundles on disk.</summary>
[Trait("Category", "Component")]
public sealed class CheckpointRetentionTests : IDisposable
{
    private const string Job = "job-00000000ee";
    private const string OtherJob = "job-00000000ef";
    private readonly TemporaryDirectory _directory = new();
    private readonly AgentPaths _paths;

    public CheckpointRetentionTests() =>
        _paths = new AgentPaths(Options.Create(new AgentOptions { DataDirectory = _directory.Path }));

    public void Dispose() => _directory.Dispose();

    private CheckpointRetention Retention(int keepLast, long maxBytes) => new(
        _paths,
        Options.Create(new AgentOptions { DataDirectory = _directory.Path, Retention = new RetentionOptions { KeepLast = keepLast, MaxBytesPerJob = maxBytes } }),
        NullLogger<CheckpointRetention>.Instance);

    private async Task Checkpoint(string jobId, int sequence, int imageBytes)
    {
        var bundle = _paths.Checkpoint(jobId, sequence);
        Directory.CreateDirectory(bundle.ImagesDirectory);
        await File.WriteAllBytesAsync(Path.Combine(bundle.ImagesDirectory, "pages-1.img"), new byte[imageBytes]);
        await new CheckpointBundleWriter(TestBundles.Signer).SealAsync(bundle, TestBundles.Manifest(jobId, sequence));
    }

    private IEnumerable<int> Remaining(string jobId) =>
        Directory.GetDirectories(Path.Combine(_paths.CheckpointsDirectory, jobId)).Select(d => int.Parse(Path.GetFileName(d))).Order();

    private long ManifestBytes(int sequence) => new FileInfo(_paths.Checkpoint(Job, sequence).ManifestPath).Length;

    [Fact]
    public async Task Keeps_the_last_k_checkpoints_of_the_job_and_reports_what_it_deleted()
    {
        for (var sequence = 1; sequence <= 7; sequence++)
            await Checkpoint(Job, sequence, 1000);
        await Checkpoint(OtherJob, 1, 1000);
        var firstBytes = 1000 + ManifestBytes(1);

        var pruned = Retention(keepLast: 3, maxBytes: long.MaxValue).Apply(Job, newestVerified: 7);

        Assert.Equal([5, 6, 7], Remaining(Job));
        Assert.Equal([1, 2, 3, 4], pruned.Select(p => p.Sequence));
        Assert.Equal(new PrunedCheckpoint(Job, 1, firstBytes, "beyond the last 3 checkpoints"), pruned[0]);
        Assert.Equal([1], Remaining(OtherJob));
    }

    [Fact]
    public async Task Deletes_the_oldest_until_the_job_fits_its_byte_budget()
    {
        for (var sequence = 1; sequence <= 4; sequence++)
            await Checkpoint(Job, sequence, 10_000);
        // Room for two bundles and a bit, not for three.
        var budget = 2 * (10_000 + ManifestBytes(4)) + 500;

        var pruned = Retention(keepLast: 5, maxBytes: budget).Apply(Job, newestVerified: 4);

        Assert.Equal([3, 4], Remaining(Job));
        Assert.Equal([(1, $"the job's checkpoints exceeded {budget} bytes"), (2, $"the job's checkpoints exceeded {budget} bytes")],
            pruned.Select(p => (p.Sequence, p.Reason)));
    }

    [Fact]
    public async Task Never_deletes_the_newest_verified_checkpoint_even_when_it_alone_is_over_budget()
    {
        await Checkpoint(Job, 1, 100);
        await Checkpoint(Job, 2, 50_000);

        var pruned = Retention(keepLast: 1, maxBytes: 1000).Apply(Job, newestVerified: 2);

        Assert.Equal([2], Remaining(Job));
        Assert.Equal([1], pruned.Select(p => p.Sequence));
    }

    [Fact]
    public async Task The_newest_verified_checkpoint_is_kept_even_when_newer_sequences_exist_and_counts_toward_k()
    {
        await Checkpoint(Job, 1, 100);
        await Checkpoint(Job, 2, 100);
        await Checkpoint(Job, 5, 100);
        await Checkpoint(Job, 6, 100);

        Retention(keepLast: 2, maxBytes: long.MaxValue).Apply(Job, newestVerified: 2);

        Assert.Equal([2, 6], Remaining(Job));
    }

    [Fact]
    public async Task A_directory_without_a_manifest_is_neither_counted_nor_deleted()
    {
        await Checkpoint(Job, 1, 100);
        await Checkpoint(Job, 3, 100);
        Directory.CreateDirectory(_paths.Checkpoint(Job, 2).ImagesDirectory);
        Directory.CreateDirectory(Path.Combine(_paths.CheckpointsDirectory, Job, "notes"));

        var pruned = Retention(keepLast: 2, maxBytes: long.MaxValue).Apply(Job, newestVerified: 3);

        Assert.Empty(pruned);
        Assert.Equal(["1", "2", "3", "notes"], Directory.GetDirectories(Path.Combine(_paths.CheckpointsDirectory, Job)).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_job_without_checkpoints_prunes_nothing()
    {
        Assert.Empty(Retention(keepLast: 1, maxBytes: 1).Apply(Job, newestVerified: 1));
    }

    /// <summary>Incremental chains made as the agent makes them: a kept checkpoint keeps whatever it needs to be restored.</summary>
    private const int Pages = 32;

    private SyntheticCheckpoints Chained => new(_paths.CheckpointsDirectory, Job);

    /// <summary>Checkpoints 1.., each changing a page of the previous one; those in <paramref name="full"/> are full, the others incremental on the one before.</summary>
    private async Task Chain(int count, params int[] full)
    {
        var pages = SyntheticCheckpoints.RandomPages(Pages, seed: 0);
        for (var sequence = 1; sequence <= count; sequence++)
        {
            pages = SyntheticCheckpoints.Changed(pages, first: sequence % Pages, count: 1, seed: sequence);
            await Chained.TakeAsync(sequence, pages, full.Contains(sequence) ? null : sequence - 1);
        }
    }

    [Fact]
    public async Task The_parents_of_a_kept_incremental_checkpoint_are_kept_beyond_the_last_k()
    {
        await Chain(3, full: 1);

        var pruned = Retention(keepLast: 1, maxBytes: long.MaxValue).Apply(Job, newestVerified: 3);

        Assert.Empty(pruned);
        Assert.Equal([1, 2, 3], Remaining(Job));
        await Chained.PrepareAsync(3, _directory.Combine("staging"));
    }

    [Fact]
    public async Task Once_a_full_checkpoint_starts_a_new_chain_the_old_chain_is_deleted()
    {
        await Chain(5, full: [1, 4]);

        var pruned = Retention(keepLast: 2, maxBytes: long.MaxValue).Apply(Job, newestVerified: 5);

        Assert.Equal([1, 2, 3], pruned.Select(p => p.Sequence));
        Assert.Equal([4, 5], Remaining(Job));
        await Chained.PrepareAsync(5, _directory.Combine("staging"));
    }

    [Fact]
    public async Task The_byte_budget_does_not_delete_a_parent_that_a_kept_checkpoint_needs()
    {
        await Chain(3, full: 1);

        var pruned = Retention(keepLast: 5, maxBytes: 1).Apply(Job, newestVerified: 3);

        Assert.Empty(pruned);
        Assert.Equal([1, 2, 3], Remaining(Job));
    }

    [Fact]
    public async Task The_last_test_restored_checkpoint_survives_the_count_and_the_byte_budget()
    {
        for (var sequence = 1; sequence <= 6; sequence++)
            await Checkpoint(Job, sequence, 10_000);
        LastVerifiedCheckpoint.Record(_paths, Job, 2);

        var byCount = Retention(keepLast: 3, maxBytes: long.MaxValue).Apply(Job, newestVerified: 6);
        Assert.Equal([2, 5, 6], Remaining(Job));
        var byBytes = Retention(keepLast: 3, maxBytes: 1000).Apply(Job, newestVerified: 6);

        Assert.Equal([1, 3, 4], byCount.Select(p => p.Sequence));
        Assert.Equal([5], byBytes.Select(p => p.Sequence));
        Assert.Equal([2, 6], Remaining(Job));
    }

    [Fact]
    public async Task Only_the_newest_test_restored_checkpoint_is_protected_and_a_failed_one_is_forgotten()
    {
        for (var sequence = 1; sequence <= 4; sequence++)
            await Checkpoint(Job, sequence, 100);
        LastVerifiedCheckpoint.Record(_paths, Job, 2);
        LastVerifiedCheckpoint.Record(_paths, Job, 1);
        Assert.Equal(2, LastVerifiedCheckpoint.Read(_paths, Job));

        LastVerifiedCheckpoint.Forget(_paths, Job, 1);
        Assert.Equal(2, LastVerifiedCheckpoint.Read(_paths, Job));
        LastVerifiedCheckpoint.Forget(_paths, Job, 2);
        var pruned = Retention(keepLast: 1, maxBytes: long.MaxValue).Apply(Job, newestVerified: 4);

        Assert.Null(LastVerifiedCheckpoint.Read(_paths, Job));
        Assert.Equal([1, 2, 3], pruned.Select(p => p.Sequence));
    }
}
