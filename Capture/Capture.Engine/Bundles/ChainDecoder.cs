using Caas.Capture.Engine.Bundles.Compression;
using Caas.Capture.Engine.Bundles.Dedup;
using Caas.Capture.Engine.Proc;
using Microsoft.Win32.SafeHandles;

namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// Decodes a verified chain of checkpoints (the requested one first, its full ancestor last) into the requested checkpoint's full
/// images in one pass: every page of a page delta is followed down the chain to the stored file that holds its bytes (a page image
/// of an ancestor, or the new pages of a delta), and only the requested checkpoint's images are written. Decoding level by level
/// wrote a full image per level, a second or more each for a 1 GiB job. Every header is checked as before
/// (<see cref="PageDelta.ReadHeader"/>) against the page counts of the parent's images, before any of its pages is used.
/// </summary>
internal static class ChainDecoder
{
    private const int CopyBytes = 1 << 20;
    private const string ImagesPrefix = CheckpointBundle.ImagesDirectoryName + "/";

    /// <summary>Where each page of one decoded image is: a file (index into the decode's list of files) and a byte offset in it.</summary>
    private sealed record PageMap(int[] Files, long[] Offsets)
    {
        public long Pages => Files.Length;
    }

    /// <param name="scratch">A private directory for what must be written to be read from (decompressed images and new pages of ancestors).</param>
    /// <param name="imagesDirectory">Where the requested checkpoint's full images go.</param>
    /// <param name="fullImages">Full images of the requested checkpoint to link in place of decoding, by image path (the node's restore cache), or null.</param>
    /// <returns>The requested checkpoint's full images by image path.</returns>
    /// <exception cref="CheckpointBundleRejectedException">When a stored file cannot be decoded, with the file and the reason.</exception>
    public static async Task<IReadOnlyDictionary<string, string>> DecodeAsync(IReadOnlyList<(CheckpointBundle Bundle, CheckpointManifest Manifest)> chain, string scratch, string imagesDirectory,
        CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? fullImages = null)
    {
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new List<string>();
        var parent = new Dictionary<string, PageMap>(StringComparer.Ordinal);
        for (var level = chain.Count - 1; level >= 0; level--)
        {
            var (bundle, manifest) = chain[level];
            var isRequested = level == 0;
            var levelScratch = Path.Combine(scratch, manifest.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var maps = new Dictionary<string, PageMap>(StringComparer.Ordinal);
            Directory.CreateDirectory(imagesDirectory);
            foreach (var file in manifest.Files)
            {
                var imagePath = file.Image?.Path ?? file.Path;
                if (!imagePath.StartsWith(ImagesPrefix, StringComparison.Ordinal))
                {
                    if (file.Image is not null)
                        throw new CheckpointBundleRejectedException(bundle.Directory, $"{file.Path} decodes to {imagePath}, outside {CheckpointBundle.ImagesDirectoryName}/");
                    continue;
                }
                var stored = Path.Combine(bundle.Directory, file.Path);
                var output = Path.Combine(isRequested ? imagesDirectory : levelScratch, imagePath[ImagesPrefix.Length..]);
                Directory.CreateDirectory(Path.GetDirectoryName(output)!);
                if (isRequested)
                    written[imagePath] = output;
                if (isRequested && fullImages?.GetValueOrDefault(imagePath) is { } full)
                {
                    LinkOrCopy(full, output);
                    continue;
                }
                try
                {
                    if (file.Image?.Encoding == ImageEncodings.PageDelta)
                    {
                        var newPages = Path.Combine(levelScratch, imagePath[ImagesPrefix.Length..] + ".new");
                        Directory.CreateDirectory(Path.GetDirectoryName(newPages)!);
                        var map = await MapPageDeltaAsync(stored, file.Image.Size, parent, files, newPages, cancellationToken);
                        if (isRequested)
                            await Task.Run(() => Write(map, files, output, cancellationToken), cancellationToken);
                        maps[imagePath] = map;
                    }
                    else if (file.Image is null && !isRequested)
                        maps[imagePath] = WholeFile(files, stored);
                    else
                    {
                        await WriteWholeImageAsync(file, stored, output, cancellationToken);
                        if (!isRequested)
                            maps[imagePath] = WholeFile(files, output);
                    }
                }
                catch (InvalidDataException e)
                {
                    throw new CheckpointBundleRejectedException(bundle.Directory, $"{file.Path} cannot be decoded: {e.Message}");
                }
            }
            parent = maps;
        }
        return written;
    }

    /// <summary>Writes a stored file that holds a whole image (raw: a hard link; zstd: decompressed, bounded by the declared size) to <paramref name="output"/>.</summary>
    /// <exception cref="InvalidDataException">When it cannot be decoded.</exception>
    private static async Task WriteWholeImageAsync(ManifestFile file, string stored, string output, CancellationToken cancellationToken)
    {
        switch (file.Image?.Encoding)
        {
            case null:
                LinkOrCopy(stored, output);
                break;
            case ImageEncodings.Zstd:
                await using (var input = File.OpenRead(stored))
                await using (var decoded = new FileStream(output, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBytes))
                    await ZstdImages.DecompressAsync(input, decoded, file.Image.Size, cancellationToken);
                break;
            case ImageEncodings.PageDelta:
                throw new InvalidDataException("a page delta is decoded only with its chain");
            default:
                throw new InvalidDataException($"its encoding \"{file.Image.Encoding}\" is unknown");
        }
    }

    private static void LinkOrCopy(string existing, string created)
    {
        if (Libc.Link(existing, created) != 0)
            File.Copy(existing, created);
    }

    private static PageMap WholeFile(List<string> files, string path)
    {
        files.Add(path);
        var pages = new FileInfo(path).Length / PageDelta.PageBytes;
        var map = new PageMap(new int[pages], new long[pages]);
        Array.Fill(map.Files, files.Count - 1);
        for (var page = 0L; page < pages; page++)
            map.Offsets[page] = page * PageDelta.PageBytes;
        return map;
    }

    /// <summary>Reads and checks a delta's header, and maps each of its pages to its new pages or through its parent's maps.</summary>
    /// <param name="newPagesPath">Where compressed new pages are decompressed to, to be read by offset.</param>
    private static async Task<PageMap> MapPageDeltaAsync(string stored, long imageBytes, IReadOnlyDictionary<string, PageMap> parent, List<string> files, string newPagesPath,
        CancellationToken cancellationToken)
    {
        await using var input = new FileStream(stored, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var delta = PageDelta.ReadHeader(input, imageBytes, parent.ToDictionary(p => p.Key, p => p.Value.Pages, StringComparer.Ordinal));
        long newPagesStart = input.Position;
        if (delta.NewPagesCompressed)
        {
            await DecompressNewPagesAsync(input, delta.NewPages * PageDelta.PageBytes, newPagesPath, cancellationToken);
            files.Add(newPagesPath);
            newPagesStart = 0;
        }
        else
            files.Add(stored);
        var newPagesFile = files.Count - 1;
        var map = new PageMap(new int[delta.ImagePages], new long[delta.ImagePages]);
        var page = 0L;
        foreach (var run in delta.Runs)
        {
            if (run.Source == PageDelta.NewPagesSource)
            {
                Array.Fill(map.Files, newPagesFile, (int)page, (int)run.PageCount);
                for (var k = 0L; k < run.PageCount; k++)
                    map.Offsets[page + k] = newPagesStart + (run.FirstPage + k) * PageDelta.PageBytes;
            }
            else
            {
                var source = parent[delta.ParentImages[run.Source]];
                Array.Copy(source.Files, run.FirstPage, map.Files, page, run.PageCount);
                Array.Copy(source.Offsets, run.FirstPage, map.Offsets, page, run.PageCount);
            }
            page += run.PageCount;
        }
        return map;
    }

    /// <summary>Exactly <paramref name="bytes"/> of new pages, not a byte more or less.</summary>
    private static async Task DecompressNewPagesAsync(Stream input, long bytes, string output, CancellationToken cancellationToken)
    {
        try
        {
            await using var newPages = new ZstdSharp.DecompressionStream(input, CopyBytes, checkEndOfStream: true, leaveOpen: true);
            await using (var decoded = new FileStream(output, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBytes))
            {
                var buffer = new byte[CopyBytes];
                for (var done = 0L; done < bytes;)
                {
                    var length = (int)Math.Min(buffer.Length, bytes - done);
                    if (await newPages.ReadAtLeastAsync(buffer.AsMemory(0, length), length, throwOnEndOfStream: false, cancellationToken) < length)
                        throw new InvalidDataException("its new pages end before its runs do");
                    await decoded.WriteAsync(buffer.AsMemory(0, length), cancellationToken);
                    done += length;
                }
            }
            // Bounded both ways: the runs said how many new pages there are, and not a byte more may follow.
            if (await newPages.ReadAsync(new byte[1], cancellationToken) != 0)
                throw new InvalidDataException("its compressed new pages decode to more than its runs use");
        }
        catch (ZstdSharp.ZstdException e)
        {
            throw new InvalidDataException($"its new pages are not valid zstd data: {e.Message}");
        }
    }

    /// <summary>Writes the image the map describes, reading runs of pages that are contiguous in one file at once.</summary>
    private static void Write(PageMap map, List<string> files, string output, CancellationToken cancellationToken)
    {
        var handles = new Dictionary<int, SafeFileHandle>();
        try
        {
            using var decoded = new FileStream(output, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
            var buffer = new byte[CopyBytes];
            const int maxPages = CopyBytes / PageDelta.PageBytes;
            for (var page = 0L; page < map.Pages;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var file = map.Files[page];
                var offset = map.Offsets[page];
                var count = 1;
                while (count < maxPages && page + count < map.Pages && map.Files[page + count] == file && map.Offsets[page + count] == offset + (long)count * PageDelta.PageBytes)
                    count++;
                if (!handles.TryGetValue(file, out var handle))
                    handles[file] = handle = File.OpenHandle(files[file], FileMode.Open, FileAccess.Read, FileShare.Read);
                var bytes = buffer.AsSpan(0, count * PageDelta.PageBytes);
                PageIndex.ReadFully(handle, files[file], bytes, offset);
                decoded.Write(bytes);
                page += count;
            }
        }
        finally
        {
            foreach (var handle in handles.Values)
                handle.Dispose();
        }
    }
}
