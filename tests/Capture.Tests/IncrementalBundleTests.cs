using Caas.Capture.Engine.Bundles;

namespace Caas.Capture.Tests;

/// <summary>Incremental bundles on disk: what they store, and that a restore rebuilds every image byte for byte.</summary>
[Trait("Category", "Unit")]
public sealed class IncrementalBundleTests : IDisposable
{
    private const int Pages = 1000;
    private readonly TemporaryDirectory _directory = new();
    private readonly SyntheticCheckpoints _checkpoints;

    public IncrementalBundleTests() => _checkpoints = new SyntheticCheckpoints(_directory.Combine("checkpoints"), "job-00000000c1");

    public void Dispose() => _directory.Dispose();

    private async Task AssertRestoresTo(int sequence, byte[] pages)
    {
        var (manifest, images) = await _checkpoints.PrepareAsync(sequence, _directory.Combine($"staging-{sequence}"));
        Assert.Equal(sequence, manifest.Sequence);
        Assert.Equal(["core-1.img", "pagemap-1.img", "pages-1.img"], Directory.GetFiles(images).Select(Path.GetFileName).Order());
        var restored = await File.ReadAllBytesAsync(Path.Combine(images, "pages-1.img"));
        Assert.True(pages.SequenceEqual(restored), $"pages of checkpoint {sequence} differ after the restore");
        Assert.Equal(SyntheticCheckpoints.Core(sequence), await File.ReadAllBytesAsync(Path.Combine(images, "core-1.img")));
        Assert.Equal("map", await File.ReadAllTextAsync(Path.Combine(images, "pagemap-1.img")));
    }

    [Fact]
    public async Task After_a_tenth_of_the_pages_changed_the_second_checkpoint_stores_about_a_tenth_and_restores_exactly()
    {
        var first = SyntheticCheckpoints.RandomPages(Pages, seed: 1);
        var second = SyntheticCheckpoints.Changed(first, first: 300, count: Pages / 10, seed: 2);

        var full = await _checkpoints.TakeAsync(1, first);
        var incremental = await _checkpoints.TakeAsync(2, second, parentSequence: 1);

        Assert.Null(full.ParentSequence);
        Assert.Equal(1, incremental.ParentSequence);
        Assert.Equal(ManifestDigest.Of(await File.ReadAllBytesAsync(_checkpoints.Bundle(1).ManifestPath)), incremental.ParentDigest);
        var delta = incremental.Files.Single(f => f.Path == "images/pages-1.img.delta");
        Assert.Equal(new EncodedImage("images/pages-1.img", Pages * SyntheticCheckpoints.PageBytes, ImageEncodings.PageDelta), delta.Image);
        // 100 new pages, a header of three runs, and a page index of 32 bytes a page: under 15 % of the full one.
        var ratio = (double)incremental.TotalBytes / full.TotalBytes;
        Assert.InRange(ratio, 0.10, 0.15);
        await AssertRestoresTo(2, second);
        await AssertRestoresTo(1, first);
    }

    [Fact]
    public async Task A_chain_of_three_restores_each_checkpoint_to_its_own_pages()
    {
        var first = SyntheticCheckpoints.RandomPages(Pages, seed: 1);
        var second = SyntheticCheckpoints.Changed(first, first: 0, count: 50, seed: 2);
        // The third moves pages around and brings back a page only the first had: references follow content, not position.
        var third = SyntheticCheckpoints.Changed(second, first: 900, count: 50, seed: 3);
        first.AsSpan(0, SyntheticCheckpoints.PageBytes).CopyTo(third.AsSpan(500 * SyntheticCheckpoints.PageBytes));
        second.AsSpan(10 * SyntheticCheckpoints.PageBytes, 20 * SyntheticCheckpoints.PageBytes).CopyTo(third.AsSpan(700 * SyntheticCheckpoints.PageBytes));

        await _checkpoints.TakeAsync(1, first);
        await _checkpoints.TakeAsync(2, second, parentSequence: 1);
        var last = await _checkpoints.TakeAsync(3, third, parentSequence: 2);

        Assert.Equal(2, last.ParentSequence);
        await AssertRestoresTo(3, third);
        await AssertRestoresTo(2, second);
        // One pass: each page is copied from the bundle that holds it; no full image of an ancestor is written (or linked) on the way.
        var decoded = _directory.Combine("staging-3", "decoded");
        Assert.Empty(Directory.Exists(decoded) ? Directory.GetFiles(decoded, "pages-1.img", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public async Task Compressible_images_are_stored_as_zstd_and_incompressible_pages_raw()
    {
        var manifest = await _checkpoints.TakeAsync(1, SyntheticCheckpoints.RandomPages(Pages, seed: 1));

        Assert.Equal(
            [("images/core-1.img.zst", "zstd"), ("images/pagemap-1.img", null), ("images/pages-1.img", null), ("index/pages-1.img.sha256", null)],
            manifest.Files.Select(f => (f.Path, f.Image?.Encoding)));
        Assert.True(manifest.Files[0].Size < SyntheticCheckpoints.Core(1).Length / 10, $"core stored in {manifest.Files[0].Size} bytes");
        await AssertRestoresTo(1, SyntheticCheckpoints.RandomPages(Pages, seed: 1));
    }

    [Fact]
    public async Task Compressible_new_pages_of_an_incremental_checkpoint_are_compressed_too()
    {
        var first = SyntheticCheckpoints.RandomPages(Pages, seed: 1);
        var second = (byte[])first.Clone();
        Array.Fill(second, (byte)'x', 100 * SyntheticCheckpoints.PageBytes, 100 * SyntheticCheckpoints.PageBytes);

        await _checkpoints.TakeAsync(1, first);
        var incremental = await _checkpoints.TakeAsync(2, second, parentSequence: 1);

        // 100 new pages of 4 KiB that all compress to almost nothing.
        Assert.True(incremental.Files.Single(f => f.Path == "images/pages-1.img.delta").Size < 8 * SyntheticCheckpoints.PageBytes);
        await AssertRestoresTo(2, second);
    }

    [Fact]
    public async Task A_format_3_bundle_with_full_images_still_restores()
    {
        var bundle = _checkpoints.Bundle(1);
        Directory.CreateDirectory(bundle.ImagesDirectory);
        var pages = SyntheticCheckpoints.RandomPages(10, seed: 5);
        await File.WriteAllBytesAsync(Path.Combine(bundle.ImagesDirectory, "pages-1.img"), pages);
        await File.WriteAllBytesAsync(Path.Combine(bundle.ImagesDirectory, "core-1.img"), SyntheticCheckpoints.Core(1));
        await File.WriteAllTextAsync(Path.Combine(bundle.ImagesDirectory, "pagemap-1.img"), "map");
        var sealedManifest = await new CheckpointBundleWriter(TestBundles.Signer).SealAsync(bundle, TestBundles.Manifest(_checkpoints.JobId, 1));
        // What an agent before format 4 wrote: the same manifest with format 3 and chunks hashed whole, signed as such.
        TestBundles.RewriteAsWholeChunkFormat(bundle, sealedManifest, 3);

        await AssertRestoresTo(1, pages);
    }
}
