using Caas.Capture.Engine.Bundles.Compression;
using Caas.Capture.Engine.Bundles.Dedup;

namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// Turns the images the engine wrote into what the bundle stores, after the dump (with leave-running the
/// job already runs again): page images become deltas against the parent when there is one, the rest is
/// zstd-compressed where a sample says it pays, and every page image gets a page index for the next
/// checkpoint. The originals are replaced; a restore decodes them back (see <see cref="CheckpointChainRestorer"/>).
/// </summary>
public static class CheckpointImageEncoder
{
    /// <summary>Below this a zstd frame saves too little to be worth a decode step.</summary>
    private const long SmallestCompressedFile = 4 << 10;

    /// <param name="parent">The parent to deduplicate page images against; null for a full checkpoint.</param>
    /// <param name="indexPages">Whether to write page indexes, so that a later checkpoint can be incremental on this one.</param>
    /// <param name="compress">Whether zstd may be used.</param>
    /// <param name="knownPageHashes">Page hashes taken during the dump, by image path in the bundle (see <see cref="AppendedChunkHasher.PageHashes"/>): those pages are not read again.</param>
    /// <param name="keepFullPageImagesIn">
    /// Where page images that are stored encoded are moved to (by image path below it) instead of being deleted: the node's
    /// restore cache, from which a restore of this checkpoint reads them as they are. Null deletes them.
    /// </param>
    public static async Task<EncodedImages> EncodeAsync(CheckpointBundle bundle, ParentPages? parent, bool indexPages, bool compress, CancellationToken cancellationToken = default,
        IReadOnlyDictionary<string, byte[]>? knownPageHashes = null, string? keepFullPageImagesIn = null)
    {
        void Drop(string image, string path)
        {
            if (keepFullPageImagesIn is null || !PageIndex.IsPageImage(image))
            {
                File.Delete(path);
                return;
            }
            var kept = Path.Combine(keepFullPageImagesIn, image);
            Directory.CreateDirectory(Path.GetDirectoryName(kept)!);
            File.Move(path, kept, overwrite: true);
        }

        var encoded = new Dictionary<string, EncodedImage>(StringComparer.Ordinal);
        long imagePages = 0, newPages = 0;
        var images = BundleFiles.List(bundle.Directory).Where(f => f.StartsWith(CheckpointBundle.ImagesDirectoryName + "/", StringComparison.Ordinal)).ToList();
        foreach (var image in images)
        {
            var path = Path.Combine(bundle.Directory, image);
            var size = new FileInfo(path).Length;
            var isPages = PageIndex.IsPageImage(image) && size % PageDelta.PageBytes == 0;
            if (isPages && (indexPages || parent is not null))
            {
                var hashes = await PageIndex.HashPagesAsync(path, cancellationToken, knownPageHashes?.GetValueOrDefault(image));
                imagePages += size / PageDelta.PageBytes;
                if (indexPages)
                {
                    var indexPath = Path.Combine(bundle.Directory, PageIndex.PathFor(image));
                    Directory.CreateDirectory(Path.GetDirectoryName(indexPath)!);
                    await File.WriteAllBytesAsync(indexPath, hashes, cancellationToken);
                }
                if (parent is not null)
                {
                    var stored = image + ImageEncodings.Suffix(ImageEncodings.PageDelta);
                    newPages += await PageDeltaWriter.WriteAsync(path, Path.Combine(bundle.Directory, stored), hashes, parent, compress, cancellationToken);
                    Drop(image, path);
                    encoded[stored] = new EncodedImage(image, size, ImageEncodings.PageDelta);
                    continue;
                }
                newPages += size / PageDelta.PageBytes;
            }
            if (compress && size >= SmallestCompressedFile && CompressibilityProbe.IsWorthCompressing(path))
            {
                var stored = image + ImageEncodings.Suffix(ImageEncodings.Zstd);
                await ZstdImages.CompressAsync(path, Path.Combine(bundle.Directory, stored), cancellationToken);
                Drop(image, path);
                encoded[stored] = new EncodedImage(image, size, ImageEncodings.Zstd);
            }
        }
        return new EncodedImages(encoded, imagePages, newPages);
    }
}
