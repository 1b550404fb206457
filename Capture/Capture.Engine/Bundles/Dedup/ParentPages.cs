namespace Caas.Capture.Engine.Bundles.Dedup;

/// <summary>
/// The parent checkpoint as the writer of an incremental one sees it: its manifest digest, and where
/// each of its pages (by content) sits in its decoded page images. Built from the parent's page indexes.
/// </summary>
public sealed class ParentPages
{
    private readonly Dictionary<PageHash, (int Image, long Page)> _pages;

    private ParentPages(CheckpointManifest manifest, string digest, IReadOnlyList<string> images, Dictionary<PageHash, (int Image, long Page)> pages)
    {
        Manifest = manifest;
        Digest = digest;
        Images = images;
        _pages = pages;
    }

    public CheckpointManifest Manifest { get; }
    /// <summary>What the child records as its <see cref="CheckpointManifest.ParentDigest"/>.</summary>
    public string Digest { get; }
    /// <summary>The parent's decoded page image paths; a delta's references number them in this order.</summary>
    public IReadOnlyList<string> Images { get; }
    public int DistinctPages => _pages.Count;

    public bool TryFind(PageHash hash, out int image, out long page)
    {
        var found = _pages.TryGetValue(hash, out var at);
        (image, page) = at;
        return found;
    }

    /// <summary>Below this many pages (64 MiB) a delta is cheap whatever it stores: the child stays incremental.</summary>
    public const long FewPages = 16384;

    /// <summary>
    /// Whether an incremental child with these page hashes (32 bytes a page, see <see cref="PageIndex"/>) would store
    /// more than half of its pages anyway, on at least <see cref="FewPages"/> pages. Every restore of it verifies and
    /// decodes its parent's images as well as its own, so a delta that saves less than half the bytes costs each
    /// restore more than it saves on disk and on the wire (benchmarks.md, 2026-11-26 23:43: chains of 50 to 74 %
    /// changed pages took 17.5 to 24.6 s to decode before CRIU's 2 s restore): it is better taken in full.
    /// </summary>
    public bool MostPagesAreNew(IEnumerable<byte[]> pageHashes)
    {
        long pages = 0, unseen = 0;
        foreach (var hashes in pageHashes)
            for (var offset = 0; offset + PageIndex.HashBytes <= hashes.Length; offset += PageIndex.HashBytes)
            {
                pages++;
                if (!_pages.ContainsKey(PageHash.From(hashes.AsSpan(offset, PageIndex.HashBytes))))
                    unseen++;
            }
        return pages >= FewPages && unseen * 2 > pages;
    }

    /// <summary>Reads the parent's signed manifest and its page indexes.</summary>
    /// <returns>Null, with the reason, when the parent cannot serve as one (no page index, a missing or inconsistent file): the child is then taken in full.</returns>
    public static async Task<(ParentPages? Parent, string? Why)> LoadAsync(CheckpointBundle parent, CheckpointBundleVerifier verifier, string jobId, CancellationToken cancellationToken)
    {
        CheckpointManifest manifest;
        byte[] manifestBytes;
        try
        {
            (manifest, manifestBytes) = await verifier.ReadSignedManifestAsync(parent, jobId, cancellationToken);
        }
        catch (CheckpointBundleRejectedException e)
        {
            return (null, e.Reason);
        }
        var listed = manifest.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var images = manifest.Files.Select(f => (Image: f.Image?.Path ?? f.Path, Size: f.Image?.Size ?? f.Size))
            .Where(i => PageIndex.IsPageImage(i.Image))
            .OrderBy(i => i.Image, StringComparer.Ordinal)
            .ToList();
        var pages = new Dictionary<PageHash, (int, long)>();
        for (var i = 0; i < images.Count; i++)
        {
            var indexPath = PageIndex.PathFor(images[i].Image);
            if (!listed.Contains(indexPath))
                return (null, $"checkpoint {manifest.Sequence} has no page index for {images[i].Image}");
            var hashes = await File.ReadAllBytesAsync(Path.Combine(parent.Directory, indexPath), cancellationToken);
            if (hashes.Length != images[i].Size / PageDelta.PageBytes * PageIndex.HashBytes)
                return (null, $"the page index of {images[i].Image} in checkpoint {manifest.Sequence} does not match the image's size");
            for (long p = 0; p < hashes.Length / PageIndex.HashBytes; p++)
                pages.TryAdd(PageHash.From(hashes.AsSpan((int)(p * PageIndex.HashBytes), PageIndex.HashBytes)), (i, p));
        }
        return (new ParentPages(manifest, ManifestDigest.Of(manifestBytes), [.. images.Select(i => i.Image)], pages), null);
    }
}
