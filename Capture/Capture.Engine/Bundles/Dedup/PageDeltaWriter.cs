using Caas.Capture.Engine.Bundles.Compression;
using ZstdSharp;

namespace Caas.Capture.Engine.Bundles.Dedup;

/// <summary>Writes a page image as a <see cref="PageDelta"/> against its parent: pages the parent has become references, the rest is stored (zstd when it pays).</summary>
public static class PageDeltaWriter
{
    private const int CopyBytes = 1 << 20;

    /// <param name="image">The page image the engine wrote.</param>
    /// <param name="hashes">Its pages' SHA-256 (see <see cref="PageIndex.HashPagesAsync"/>).</param>
    /// <param name="compress">Whether zstd may be used for the new pages (it is, when a sample of them compresses).</param>
    /// <returns>How many of its pages were new.</returns>
    public static async Task<long> WriteAsync(string image, string delta, byte[] hashes, ParentPages parent, bool compress, CancellationToken cancellationToken)
    {
        var pages = hashes.Length / PageIndex.HashBytes;
        var runs = new List<PageRun>();
        var newRunsInImage = new List<(long ImagePage, long Count)>();
        long newPages = 0;
        for (long p = 0; p < pages; p++)
        {
            var hash = PageHash.From(hashes.AsSpan((int)(p * PageIndex.HashBytes), PageIndex.HashBytes));
            var run = parent.TryFind(hash, out var parentImage, out var at)
                ? new PageRun(parentImage, at, 1)
                : new PageRun(PageDelta.NewPagesSource, newPages++, 1);
            // Extends the last run when this page continues it: the same source, the next page.
            if (runs.Count > 0 && runs[^1] is var last && last.Source == run.Source && last.FirstPage + last.PageCount == run.FirstPage)
                runs[^1] = last with { PageCount = last.PageCount + 1 };
            else
                runs.Add(run);
            if (run.Source == PageDelta.NewPagesSource)
            {
                if (newRunsInImage.Count > 0 && newRunsInImage[^1] is var n && n.ImagePage + n.Count == p)
                    newRunsInImage[^1] = n with { Count = n.Count + 1 };
                else
                    newRunsInImage.Add((p, 1));
            }
        }

        using var source = File.OpenHandle(image, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var compressed = compress && newPages > 0 && CompressibilityProbe.IsWorthCompressing(newPages * PageDelta.PageBytes,
            (buffer, offset) => ReadNewPages(source, newRunsInImage, buffer.Span, offset));
        await using var output = new FileStream(delta, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, CopyBytes);
        var header = new PageDelta(pages, newPages, compressed, 0, parent.Images, runs);
        // Written twice: first to reserve its place, then with the new block's length, known once it is written.
        header.WriteHeader(output);
        var blockStart = output.Position;
        if (compressed)
        {
            await using var zstd = new CompressionStream(output, ZstdImages.Level, CopyBytes, leaveOpen: true);
            await CopyNewPagesAsync(source, image, newRunsInImage, zstd, cancellationToken);
        }
        else
        {
            await CopyNewPagesAsync(source, image, newRunsInImage, output, cancellationToken);
        }
        var blockBytes = output.Position - blockStart;
        output.Position = 0;
        (header with { NewBlockBytes = blockBytes }).WriteHeader(output);
        return newPages;
    }

    private static async Task CopyNewPagesAsync(Microsoft.Win32.SafeHandles.SafeFileHandle source, string image, List<(long ImagePage, long Count)> runs, Stream output, CancellationToken cancellationToken)
    {
        var buffer = new byte[CopyBytes];
        foreach (var (imagePage, count) in runs)
        {
            var offset = imagePage * PageDelta.PageBytes;
            var end = offset + count * PageDelta.PageBytes;
            while (offset < end)
            {
                var length = (int)Math.Min(buffer.Length, end - offset);
                PageIndex.ReadFully(source, image, buffer.AsSpan(0, length), offset);
                await output.WriteAsync(buffer.AsMemory(0, length), cancellationToken);
                offset += length;
            }
        }
    }

    /// <summary>Reads from the new pages as if they were one file, for the compressibility sample; stops at the end of a run.</summary>
    private static int ReadNewPages(Microsoft.Win32.SafeHandles.SafeFileHandle source, List<(long ImagePage, long Count)> runs, Span<byte> buffer, long offset)
    {
        long start = 0;
        foreach (var (imagePage, count) in runs)
        {
            var bytes = count * PageDelta.PageBytes;
            if (offset < start + bytes)
            {
                var within = offset - start;
                var length = (int)Math.Min(buffer.Length, bytes - within);
                return RandomAccess.Read(source, buffer[..length], imagePage * PageDelta.PageBytes + within);
            }
            start += bytes;
        }
        return 0;
    }
}
