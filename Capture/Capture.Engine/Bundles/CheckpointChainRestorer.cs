using Caas.Capture.Engine.Bundles.Dedup;

namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// Prepares a checkpoint for the engine: stages and verifies it and every parent it depends on (each
/// signature, file and chunk, each parent of the same job and the very manifest the child was taken
/// against), then decodes the chain in one pass (<see cref="ChainDecoder"/>) into one directory of full images. Anything wrong is a
/// <see cref="CheckpointBundleRejectedException"/> before the engine sees a byte.
/// </summary>
public sealed class CheckpointChainRestorer(CheckpointBundleVerifier verifier)
{
    /// <summary>Longer chains are refused: the agent starts a full checkpoint long before, and a bound keeps a crafted chain from walking forever.</summary>
    public const int MaxChainLength = 64;
    private const string BundlesDirectory = "bundles";
    private const string DecodedDirectory = "decoded";

    /// <param name="bundleFor">Where the job's checkpoint of a sequence is held.</param>
    /// <param name="staging">A private directory for the staged bundles and decoded images; the caller deletes it after the restore.</param>
    /// <returns>The verified manifest of the checkpoint, and the directory of full images to hand to the engine.</returns>
    public async Task<(CheckpointManifest Manifest, string ImagesDirectory)> PrepareAsync(Func<int, CheckpointBundle> bundleFor, string jobId, int sequence, string staging, CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        var chain = await VerifyChainAsync(bundleFor, jobId, sequence, staging, null, cancellationToken);
        var imagesDirectory = Path.Combine(staging, CheckpointBundle.ImagesDirectoryName);
        await DecodeChainAsync(chain, staging, imagesDirectory, cancellationToken);
        return (chain[0].Manifest, imagesDirectory);
    }

    /// <summary>
    /// Prepares a checkpoint for a restore whose restored tasks are held until its page images verified (the engine's page
    /// gate): everything but the page images is verified before this returns, exactly as <see cref="PrepareAsync"/> does;
    /// the page images that the engine reads straight from the bundle or from <paramref name="restoreCache"/> are verified by
    /// <see cref="PreparedRestore.VerifyPagesAsync"/>, while the engine copies them. An incremental checkpoint whose full page
    /// images the cache holds is restored from them, checked page by page against its signed page index, without reading its
    /// parents; without a usable cache its chain is verified and decoded first, as before, except the chain's raw page images,
    /// which the decoder only copies: they are hashed beside the decoding and the engine, behind the same gate.
    /// </summary>
    /// <param name="restoreCache">
    /// Where this node keeps the full page images of the checkpoint (image paths below it, e.g. images/pages-1.img), or null.
    /// It is not trusted: a cache that does not match the page index is refused and removed.
    /// </param>
    public async Task<PreparedRestore> PrepareGatedAsync(Func<int, CheckpointBundle> bundleFor, string jobId, int sequence, string staging, string? restoreCache,
        CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        var source = bundleFor(sequence);
        var staged = BundleStaging.Stage(source, Path.Combine(staging, BundlesDirectory, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var (manifest, later) = await verifier.VerifyAllButAsync(staged, jobId, sequence, f => IsRawPageImage(f) || IsPageDelta(f), cancellationToken);
        var imagesDirectory = Path.Combine(staging, CheckpointBundle.ImagesDirectoryName);
        var rawPages = later.Where(IsRawPageImage).ToList();
        var deltas = later.Where(IsPageDelta).ToList();
        if (deltas.Count == 0)
        {
            await ChainDecoder.DecodeAsync([(staged, manifest)], Path.Combine(staging, DecodedDirectory), imagesDirectory, cancellationToken);
            return new PreparedRestore(manifest, imagesDirectory, "its own images",
                c => CheckpointBundleVerifier.VerifyChunksAsync(staged, manifest, rawPages, c));
        }
        var (cached, whyNot) = CachedPageImages(staged, manifest, deltas, restoreCache);
        if (cached is not null)
        {
            var decoded = await ChainDecoder.DecodeAsync([(staged, manifest)], Path.Combine(staging, DecodedDirectory), imagesDirectory, cancellationToken, cached);
            return new PreparedRestore(manifest, imagesDirectory, "the node's restore cache", async c =>
            {
                // The deltas are not read, but a damaged bundle is refused all the same: it is what another node, or this one
                // without its cache, would have to restore from.
                await CheckpointBundleVerifier.VerifyChunksAsync(staged, manifest, later, c);
                await RestoreCachePages.VerifyAsync(staged, manifest, deltas.Select(d => (d.Image!.Path, decoded[d.Image.Path])), restoreCache!, c);
            });
        }
        // The deltas are parsed by the decoder: verified now. Raw page images anywhere in the chain are only copied, by the
        // decoder into the images CRIU reads as by CRIU itself: hashed beside the decoding, behind the same gate.
        await CheckpointBundleVerifier.VerifyChunksAsync(staged, manifest, deltas, cancellationToken);
        var rawPagesOfChain = new List<(CheckpointBundle, CheckpointManifest, IReadOnlyList<ManifestFile>)> { (staged, manifest, rawPages) };
        var chain = await VerifyChainAsync(bundleFor, jobId, sequence, staging, (staged, manifest), cancellationToken, rawPagesOfChain);
        var hashing = Task.Run(async () =>
        {
            foreach (var (bundle, bundleManifest, files) in rawPagesOfChain)
                await CheckpointBundleVerifier.VerifyChunksAsync(bundle, bundleManifest, files, cancellationToken);
        }, cancellationToken);
        try
        {
            await DecodeChainAsync(chain, staging, imagesDirectory, cancellationToken);
        }
        catch
        {
            // It reads the staged copies, which the caller deletes after a failure.
            await hashing.ContinueWith(_ => { }, TaskScheduler.Default);
            throw;
        }
        return new PreparedRestore(manifest, imagesDirectory, $"its chain of {chain.Count} checkpoints, decoded ({whyNot})", _ => hashing);
    }

    /// <summary>Page images stored as they are, which the engine reads straight from the staged bundle.</summary>
    private static bool IsRawPageImage(ManifestFile file) =>
        file.Image is null && file.Path.StartsWith(CheckpointBundle.ImagesDirectoryName + "/", StringComparison.Ordinal) && PageIndex.IsPageImage(file.Path);

    private static bool IsPageDelta(ManifestFile file) => file.Image?.Encoding == ImageEncodings.PageDelta;

    /// <returns>The cached full image of each page delta by image path, or null and why the cache cannot serve.</returns>
    private static (IReadOnlyDictionary<string, string>? Cached, string WhyNot) CachedPageImages(CheckpointBundle staged, CheckpointManifest manifest, List<ManifestFile> deltas, string? restoreCache)
    {
        if (restoreCache is null || !Directory.Exists(restoreCache))
            return (null, "no restore cache of it on this node");
        SortedSet<string> present;
        try
        {
            present = BundleFiles.List(restoreCache);
        }
        catch (CheckpointBundleRejectedException e)
        {
            return (null, $"its restore cache is unusable: {e.Reason}");
        }
        var listed = manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var cached = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var delta in deltas)
        {
            var image = delta.Image!;
            var path = Path.Combine(restoreCache, image.Path);
            if (!present.Remove(image.Path))
                return (null, $"its restore cache lacks {image.Path}");
            if (new FileInfo(path).Length != image.Size)
                return (null, $"its restore cache's {image.Path} has {new FileInfo(path).Length} bytes, the manifest says {image.Size}");
            if (!listed.TryGetValue(PageIndex.PathFor(image.Path), out var index) || index.Size != image.Size / PageDelta.PageBytes * PageIndex.HashBytes)
                return (null, $"it has no page index that fits {image.Path}");
            cached[image.Path] = path;
        }
        return present.Count > 0 ? (null, $"its restore cache holds files the checkpoint does not: {string.Join(", ", present)}") : (cached, "");
    }

    private static Task DecodeChainAsync(List<(CheckpointBundle Bundle, CheckpointManifest Manifest)> chain, string staging, string imagesDirectory, CancellationToken cancellationToken) =>
        ChainDecoder.DecodeAsync(chain, Path.Combine(staging, DecodedDirectory), imagesDirectory, cancellationToken);

    /// <param name="head">The requested checkpoint, already staged and verified, or null to stage and verify it here.</param>
    /// <param name="rawPagesLeft">When given, the parents' raw page images are not hashed here but added to it, to be hashed behind the engine's page gate.</param>
    /// <returns>The chain, the requested checkpoint first and its full ancestor last.</returns>
    private async Task<List<(CheckpointBundle Bundle, CheckpointManifest Manifest)>> VerifyChainAsync(Func<int, CheckpointBundle> bundleFor, string jobId, int sequence, string staging,
        (CheckpointBundle Bundle, CheckpointManifest Manifest)? head, CancellationToken cancellationToken,
        List<(CheckpointBundle, CheckpointManifest, IReadOnlyList<ManifestFile>)>? rawPagesLeft = null)
    {
        var chain = new List<(CheckpointBundle, CheckpointManifest)>();
        int? next = sequence;
        CheckpointManifest? child = null;
        if (head is { } verified)
        {
            chain.Add(verified);
            child = verified.Manifest;
            next = child.Format >= 4 ? child.ParentSequence : null;
        }
        while (next is { } current)
        {
            var source = bundleFor(current);
            if (child is not null && !File.Exists(source.ManifestPath))
                throw new CheckpointBundleRejectedException(source.Directory, $"checkpoint {child.Sequence} depends on checkpoint {current}, which is missing");
            if (chain.Count == MaxChainLength)
                throw new CheckpointBundleRejectedException(source.Directory, $"the chain of parents of checkpoint {sequence} is longer than {MaxChainLength}");
            var staged = BundleStaging.Stage(source, Path.Combine(staging, BundlesDirectory, current.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            CheckpointManifest manifest;
            if (rawPagesLeft is null)
                manifest = await verifier.VerifyAsync(staged, jobId, current, cancellationToken);
            else
            {
                (manifest, var left) = await verifier.VerifyAllButAsync(staged, jobId, current, IsRawPageImage, cancellationToken);
                rawPagesLeft.Add((staged, manifest, left));
            }
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
}
