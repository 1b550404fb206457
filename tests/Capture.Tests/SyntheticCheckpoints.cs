using Caas.Capture.Engine.Bundles;
using Caas.Capture.Engine.Bundles.Dedup;

namespace Caas.Capture.Tests;

/// <summary>
/// Checkpoint bundles of one job made the way the agent makes them (encode against the parent, then seal),
/// from images written here instead of by CRIU: a page image of chosen pages and a compressible core image.
/// </summary>
public sealed class SyntheticCheckpoints(string checkpointsRoot, string jobId)
{
    public const int PageBytes = PageDelta.PageBytes;
    private readonly CheckpointBundleVerifier _verifier = new(TestBundles.Signer);

    public string JobId => jobId;
    public CheckpointChainRestorer Restorer => new(_verifier);

    public CheckpointBundle Bundle(int sequence) => CheckpointBundle.For(checkpointsRoot, jobId, sequence);

    /// <summary>Pages that do not compress and differ from each other; the same seed gives the same pages.</summary>
    public static byte[] RandomPages(int count, int seed)
    {
        var pages = new byte[count * PageBytes];
        new Random(seed).NextBytes(pages);
        return pages;
    }

    /// <summary>A copy of <paramref name="pages"/> with <paramref name="count"/> pages from <paramref name="first"/> rewritten.</summary>
    public static byte[] Changed(byte[] pages, int first, int count, int seed)
    {
        var changed = (byte[])pages.Clone();
        RandomPages(count, seed).CopyTo(changed, first * PageBytes);
        return changed;
    }

    /// <summary>A core image that compresses well, as CRIU's small images do.</summary>
    public static byte[] Core(int sequence) =>
        System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat($"registers of checkpoint {sequence};", 400)));

    /// <summary>Takes checkpoint <paramref name="sequence"/>: incremental on <paramref name="parentSequence"/> when given.</summary>
    public async Task<CheckpointManifest> TakeAsync(int sequence, byte[] pages, int? parentSequence = null, bool compress = true)
    {
        var bundle = Bundle(sequence);
        Directory.CreateDirectory(bundle.ImagesDirectory);
        await File.WriteAllBytesAsync(Path.Combine(bundle.ImagesDirectory, "pages-1.img"), pages);
        await File.WriteAllBytesAsync(Path.Combine(bundle.ImagesDirectory, "core-1.img"), Core(sequence));
        await File.WriteAllTextAsync(Path.Combine(bundle.ImagesDirectory, "pagemap-1.img"), "map");
        ParentPages? parent = null;
        if (parentSequence is { } p)
        {
            (parent, var why) = await ParentPages.LoadAsync(Bundle(p), _verifier, jobId, CancellationToken.None);
            Assert.True(parent is not null, why);
        }
        var encoded = await CheckpointImageEncoder.EncodeAsync(bundle, parent, indexPages: true, compress);
        return await new CheckpointBundleWriter(TestBundles.Signer).SealAsync(bundle,
            TestBundles.Manifest(jobId, sequence) with { ParentSequence = parent?.Manifest.Sequence, ParentDigest = parent?.Digest, ChunkBytes = 64 << 10 },
            encoded: encoded);
    }

    /// <summary>Restores checkpoint <paramref name="sequence"/> into <paramref name="staging"/> as the agent does before CRIU.</summary>
    public Task<(CheckpointManifest Manifest, string ImagesDirectory)> PrepareAsync(int sequence, string staging) =>
        Restorer.PrepareAsync(Bundle, jobId, sequence, staging);
}
