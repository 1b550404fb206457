using Caas.Capture.Engine.Bundles.Compression;
using Caas.Capture.Engine.Bundles.Dedup;
using Caas.Capture.Engine.Proc;

namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// Prepares a checkpoint for the engine: stages and verifies it and every parent it depends on (each
/// signature, file and chunk, each parent of the same job and the very manifest the child was taken
/// against), then decodes the chain into one directory of full images. Anything wrong is a
/// <see cref="CheckpointBundleRejectedException"/> before the engine sees a byte.
/// </summary>
public sealed class CheckpointChainRestorer(CheckpointBundleVerifier verifier)
{
    /// <summary>Longer chains are refused: the agent starts a full checkpoint long before, and a bound keeps a crafted chain from walking forever.</summary>
    public const int MaxChainLength = 64;
    private const int CopyBytes = 1 << 20;
    private const string BundlesDirectory = "bundles";
    private const string DecodedDirectory = "decoded";

    /// <param name="bundleFor">Where the job's checkpoint of a sequence is held.</param>
    /// <param name="staging">A private directory for the staged bundles and decoded images; the caller deletes it after the restore.</param>
    /// <returns>The verified manifest of the checkpoint, and the directory of full images to hand to the engine.</returns>
    public async Task<(CheckpointManifest Manifest, string ImagesDirectory)> PrepareAsync(Func<int, CheckpointBundle> bundleFor, string jobId, int sequence, string staging, CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        var chain = await VerifyChainAsync(bundleFor, jobId, sequence, staging, cancellationToken);
        var imagesDirectory = Path.Combine(staging, CheckpointBundle.ImagesDirectoryName);
        IReadOnlyDictionary<string, string>? parentImages = null;
        for (var level = chain.Count - 1; level >= 0; level--)
        {
            var (bundle, manifest) = chain[level];
            var target = level == 0 ? imagesDirectory : Path.Combine(staging, DecodedDirectory, manifest.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
            parentImages = await DecodeAsync(bundle, manifest, parentImages, target, cancellationToken);
        }
        return (chain[0].Manifest, imagesDirectory);
    }

    /// <returns>The chain, the requested checkpoint first and its full ancestor last.</returns>
    private async Task<List<(CheckpointBundle Bundle, CheckpointManifest Manifest)>> VerifyChainAsync(Func<int, CheckpointBundle> bundleFor, string jobId, int sequence, string staging, CancellationToken cancellationToken)
    {
        var chain = new List<(CheckpointBundle, CheckpointManifest)>();
        int? next = sequence;
        CheckpointManifest? child = null;
        while (next is { } current)
        {
            var source = bundleFor(current);
            if (child is not null && !File.Exists(source.ManifestPath))
                throw new CheckpointBundleRejectedException(source.Directory, $"checkpoint {child.Sequence} depends on checkpoint {current}, which is missing");
            if (chain.Count == MaxChainLength)
                throw new CheckpointBundleRejectedException(source.Directory, $"the chain of parents of checkpoint {sequence} is longer than {MaxChainLength}");
            var staged = BundleStaging.Stage(source, Path.Combine(staging, BundlesDirectory, current.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            var manifest = await verifier.VerifyAsync(staged, jobId, current, cancellationToken);
            if (child is not null)
            {
                var digest = ManifestDigest.Of(await File.ReadAllBytesAsync(staged.ManifestPath, cancellationToken));
                if (digest != child.ParentDigest)
                    throw new CheckpointBundleRejectedException(source.Directory,
                        $"checkpoint {child.Sequence} was taken against another checkpoint {current} (its parent digest is {child.ParentDigest}, this manifest's is {digest})");
            }
            chain.Add((staged, manifest));
            child = manifest;
            // Format 3 bundles hold full images whatever parent they name.
            next = manifest.Format >= 4 ? manifest.ParentSequence : null;
        }
        return chain;
    }

    /// <summary>Writes the bundle's full images into <paramref name="target"/>: raw ones as hard links, encoded ones decoded.</summary>
    /// <param name="parentImages">The parent's full images by image path (null for a full checkpoint).</param>
    /// <returns>This checkpoint's full images by image path.</returns>
    private static async Task<IReadOnlyDictionary<string, string>> DecodeAsync(CheckpointBundle bundle, CheckpointManifest manifest, IReadOnlyDictionary<string, string>? parentImages, string target, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(target);
        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            var imagePath = file.Image?.Path ?? file.Path;
            if (!imagePath.StartsWith(CheckpointBundle.ImagesDirectoryName + "/", StringComparison.Ordinal))
            {
                if (file.Image is not null)
                    throw new CheckpointBundleRejectedException(bundle.Directory, $"{file.Path} decodes to {imagePath}, outside {CheckpointBundle.ImagesDirectoryName}/");
                continue;
            }
            var output = Path.Combine(target, imagePath[(CheckpointBundle.ImagesDirectoryName.Length + 1)..]);
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            var stored = Path.Combine(bundle.Directory, file.Path);
            try
            {
                switch (file.Image?.Encoding)
                {
                    case null:
                        if (Libc.Link(stored, output) != 0)
                            File.Copy(stored, output);
                        break;
                    case ImageEncodings.Zstd:
                        await using (var input = File.OpenRead(stored))
                        await using (var decoded = new FileStream(output, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBytes))
                            await ZstdImages.DecompressAsync(input, decoded, file.Image.Size, cancellationToken);
                        break;
                    case ImageEncodings.PageDelta:
                        await DecodePageDeltaAsync(stored, file.Image.Size, parentImages ?? new Dictionary<string, string>(), output, cancellationToken);
                        break;
                    default:
                        throw new InvalidDataException($"its encoding \"{file.Image.Encoding}\" is unknown");
                }
            }
            catch (InvalidDataException e)
            {
                throw new CheckpointBundleRejectedException(bundle.Directory, $"{file.Path} cannot be decoded: {e.Message}");
            }
            images[imagePath] = output;
        }
        return images;
    }

    private static async Task DecodePageDeltaAsync(string stored, long imageBytes, IReadOnlyDictionary<string, string> parentImages, string output, CancellationToken cancellationToken)
    {
        var parentPages = parentImages.ToDictionary(p => p.Key, p => new FileInfo(p.Value).Length / PageDelta.PageBytes, StringComparer.Ordinal);
        await using var input = new FileStream(stored, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBytes, FileOptions.SequentialScan);
        var delta = PageDelta.ReadHeader(input, imageBytes, parentPages);
        var sources = delta.ParentImages.Select(p => File.OpenHandle(parentImages[p], FileMode.Open, FileAccess.Read, FileShare.Read)).ToList();
        try
        {
            await using var newPages = delta.NewPagesCompressed
                ? new ZstdSharp.DecompressionStream(input, CopyBytes, checkEndOfStream: true, leaveOpen: true)
                : (Stream)input;
            await using var decoded = new FileStream(output, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBytes);
            var buffer = new byte[CopyBytes];
            foreach (var run in delta.Runs)
            {
                for (var done = 0L; done < run.PageCount * PageDelta.PageBytes;)
                {
                    var length = (int)Math.Min(buffer.Length, run.PageCount * PageDelta.PageBytes - done);
                    if (run.Source == PageDelta.NewPagesSource)
                        await ReadNewPagesAsync(newPages, buffer.AsMemory(0, length), cancellationToken);
                    else
                        PageIndex.ReadFully(sources[run.Source], delta.ParentImages[run.Source], buffer.AsSpan(0, length), run.FirstPage * PageDelta.PageBytes + done);
                    await decoded.WriteAsync(buffer.AsMemory(0, length), cancellationToken);
                    done += length;
                }
            }
            // Bounded both ways: the runs said how many new pages there are, and not a byte more may follow.
            if (delta.NewPagesCompressed && await newPages.ReadAsync(buffer.AsMemory(0, 1), cancellationToken) != 0)
                throw new InvalidDataException("its compressed new pages decode to more than its runs use");
        }
        catch (ZstdSharp.ZstdException e)
        {
            throw new InvalidDataException($"its new pages are not valid zstd data: {e.Message}");
        }
        finally
        {
            foreach (var source in sources)
                source.Dispose();
        }
    }

    private static async Task ReadNewPagesAsync(Stream newPages, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await newPages.ReadExactlyAsync(buffer, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("its new pages end before its runs do");
        }
    }
}
