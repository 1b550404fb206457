namespace Caas.Capture.Engine.Bundles.Dedup;

/// <summary>
/// Checks full page images kept outside a bundle (a node's restore cache) against the bundle's page index: the SHA-256 of
/// every 4 KiB page, listed in the signed manifest and verified with it. A page that does not match refuses the restore, and
/// the cache is removed so that the next restore decodes the chain from the bundles instead.
/// </summary>
public static class RestoreCachePages
{
    /// <param name="bundle">The staged bundle, verified (its page index files included).</param>
    /// <param name="images">Each page image path and the file the engine reads it from (a link to the cached file).</param>
    /// <param name="restoreCache">The cache directory, removed on a mismatch.</param>
    /// <exception cref="CheckpointBundleRejectedException">With the first page that does not match.</exception>
    public static async Task VerifyAsync(CheckpointBundle bundle, CheckpointManifest manifest, IEnumerable<(string ImagePath, string File)> images, string restoreCache, CancellationToken cancellationToken)
    {
        foreach (var (imagePath, file) in images)
        {
            var indexPath = PageIndex.PathFor(imagePath);
            var expected = await File.ReadAllBytesAsync(Path.Combine(bundle.Directory, indexPath), cancellationToken);
            byte[] actual;
            try
            {
                actual = await PageIndex.HashPagesAsync(file, cancellationToken);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                throw Refuse(bundle, restoreCache, $"the restore cache's {imagePath} could not be read in full: {e.Message}");
            }
            if (actual.Length != expected.Length)
                throw Refuse(bundle, restoreCache, $"the restore cache's {imagePath} holds {actual.Length / PageIndex.HashBytes} pages, its signed page index {expected.Length / PageIndex.HashBytes}");
            for (var offset = 0; offset < actual.Length; offset += PageIndex.HashBytes)
            {
                if (actual.AsSpan(offset, PageIndex.HashBytes).SequenceEqual(expected.AsSpan(offset, PageIndex.HashBytes)))
                    continue;
                var page = (long)offset / PageIndex.HashBytes;
                throw Refuse(bundle, restoreCache,
                    $"the restore cache's {imagePath} page {page} (bytes {page * PageDelta.PageBytes}-{(page + 1) * PageDelta.PageBytes - 1}) does not match its SHA-256 in the signed page index {indexPath} (the cache was changed or damaged; it is removed, a new restore decodes the checkpoint's chain)");
            }
        }
    }

    private static CheckpointBundleRejectedException Refuse(CheckpointBundle bundle, string restoreCache, string reason)
    {
        try
        {
            Directory.Delete(restoreCache, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reason += $" (and it could not be removed: {e.Message})";
        }
        return new CheckpointBundleRejectedException(bundle.Directory, reason);
    }
}
