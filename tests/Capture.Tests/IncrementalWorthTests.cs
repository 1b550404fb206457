using Caas.Capture.Engine.Bundles;
using Caas.Capture.Engine.Bundles.Dedup;

namespace Caas.Capture.Tests;

/// <summary>When an incremental checkpoint is not worth its delta: a job that rewrote nearly all its memory since the parent.</summary>
[Trait("Category", "Unit")]
public sealed class IncrementalWorthTests : IDisposable
{
    private const int Pages = (int)ParentPages.FewPages;
    private readonly TemporaryDirectory _directory = new();
    private readonly SyntheticCheckpoints _checkpoints;

    public IncrementalWorthTests() => _checkpoints = new SyntheticCheckpoints(_directory.Combine("checkpoints"), "job-00000000c7");

    public void Dispose() => _directory.Dispose();

    private async Task<ParentPages> ParentOf(byte[] pages)
    {
        await _checkpoints.TakeAsync(1, pages);
        var (parent, why) = await ParentPages.LoadAsync(_checkpoints.Bundle(1), new CheckpointBundleVerifier(TestBundles.Signer), _checkpoints.JobId, CancellationToken.None);
        Assert.True(parent is not null, why);
        return parent;
    }

    private async Task<byte[]> PageHashesOf(byte[] pages)
    {
        var path = _directory.Combine($"pages-{Guid.NewGuid():N}.img");
        await File.WriteAllBytesAsync(path, pages);
        return await PageIndex.HashPagesAsync(path, CancellationToken.None);
    }

    [Fact]
    public async Task A_job_that_rewrote_more_than_half_its_pages_is_taken_in_full_and_one_that_rewrote_less_incrementally()
    {
        var first = SyntheticCheckpoints.RandomPages(Pages, seed: 1);
        var parent = await ParentOf(first);

        Assert.True(parent.MostPagesAreNew([await PageHashesOf(SyntheticCheckpoints.Changed(first, first: 0, count: Pages * 9 / 10, seed: 2))]));
        Assert.False(parent.MostPagesAreNew([await PageHashesOf(SyntheticCheckpoints.Changed(first, first: 0, count: Pages / 10, seed: 3))]));
        Assert.True(parent.MostPagesAreNew([await PageHashesOf(SyntheticCheckpoints.Changed(first, first: 0, count: Pages * 6 / 10, seed: 4))]));
        Assert.False(parent.MostPagesAreNew([await PageHashesOf(SyntheticCheckpoints.Changed(first, first: 0, count: Pages * 4 / 10, seed: 5))]));
    }

    [Fact]
    public async Task A_small_image_stays_incremental_however_much_of_it_changed()
    {
        var first = SyntheticCheckpoints.RandomPages(100, seed: 1);
        var parent = await ParentOf(first);

        Assert.False(parent.MostPagesAreNew([await PageHashesOf(SyntheticCheckpoints.RandomPages(100, seed: 9))]));
    }
}
