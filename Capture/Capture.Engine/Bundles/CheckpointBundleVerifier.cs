using System.Text.Json;

namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// Refuses a bundle unless its manifest carries a valid signature and lists exactly the files present, with their sizes and
/// SHA-256, all inside the bundle, and every chunk's SHA-256 (hashed on all cores); runs before the engine sees a single byte of the images.
/// </summary>
public sealed class CheckpointBundleVerifier(IManifestSigner signer)
{
    private const int MaxNamesInMessage = 5;

    /// <param name="expectedJobId">When given, the manifest must be for this job.</param>
    /// <param name="expectedSequence">When given, the manifest must be for this checkpoint.</param>
    /// <param name="chunksAlreadyHashed">
    /// True only when the caller itself has just hashed every chunk of these files against this manifest while writing
    /// them (a transfer's <c>ChunkStreamVerifier</c>): everything else is checked, the chunks are not read again. A restore
    /// never passes it: what CRIU is given is always hashed from disk first.
    /// </param>
    /// <returns>The verified manifest.</returns>
    /// <exception cref="CheckpointBundleRejectedException">With the first problem found.</exception>
    public async Task<CheckpointManifest> VerifyAsync(CheckpointBundle bundle, string? expectedJobId = null, int? expectedSequence = null, CancellationToken cancellationToken = default,
        bool chunksAlreadyHashed = false)
    {
        var root = bundle.Directory;
        var rootInfo = new DirectoryInfo(root);
        if (!rootInfo.Exists)
            throw new CheckpointBundleRejectedException(root, "the bundle directory does not exist");
        if (rootInfo.LinkTarget is not null)
            throw new CheckpointBundleRejectedException(root, "the bundle directory is a symbolic link");
        var (manifest, _) = await ReadSignedManifestAsync(bundle, expectedJobId, cancellationToken);
        if (expectedSequence is not null && manifest.Sequence != expectedSequence)
            throw new CheckpointBundleRejectedException(root, $"the manifest is for checkpoint {manifest.Sequence}, not {expectedSequence}");
        var listed = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            if (PathProblem(file.Path) is { } problem)
                throw new CheckpointBundleRejectedException(root, $"the manifest names \"{file.Path}\", which {problem}");
            if (!listed.Add(file.Path))
                throw new CheckpointBundleRejectedException(root, $"the manifest lists {file.Path} twice");
        }

        if (EncodingProblem(manifest) is { } encodingProblem)
            throw new CheckpointBundleRejectedException(root, encodingProblem);

        var present = BundleFiles.List(root);
        var missing = listed.Except(present).ToList();
        if (missing.Count > 0)
            throw new CheckpointBundleRejectedException(root, $"missing file(s) listed in the manifest: {Names(missing)}");
        var extra = present.Except(listed).ToList();
        if (extra.Count > 0)
            throw new CheckpointBundleRejectedException(root, $"file(s) not listed in the manifest: {Names(extra)}");

        if (manifest.ChunkBytes is < CheckpointManifest.MinChunkBytes or > CheckpointManifest.MaxChunkBytes)
            throw new CheckpointBundleRejectedException(root, $"the manifest's chunk size {manifest.ChunkBytes} is outside {CheckpointManifest.MinChunkBytes}..{CheckpointManifest.MaxChunkBytes} bytes");
        if (ChunkDigest.IsBlockHashed(manifest.Format) && manifest.ChunkBytes % ChunkDigest.BlockBytes != 0)
            throw new CheckpointBundleRejectedException(root, $"the manifest's chunk size {manifest.ChunkBytes} is not a whole number of {ChunkDigest.BlockBytes}-byte blocks, as format {manifest.Format} needs");
        foreach (var file in manifest.Files)
        {
            var path = Path.Combine(root, file.Path);
            var size = new FileInfo(path).Length;
            if (size != file.Size)
                throw new CheckpointBundleRejectedException(root, $"{file.Path} has {size} bytes, the manifest says {file.Size}");
            var expectedChunks = ChunkHasher.ChunkCount(file.Size, manifest.ChunkBytes);
            if (file.Chunks is null || file.Chunks.Count != expectedChunks)
                throw new CheckpointBundleRejectedException(root, $"the manifest lists {file.Chunks?.Count ?? 0} chunk hash(es) for {file.Path}, which needs {expectedChunks}");
        }
        if (!chunksAlreadyHashed)
            await VerifyChunksAsync(bundle, manifest, manifest.Files, cancellationToken);
        return manifest;
    }

    /// <summary>
    /// Everything <see cref="VerifyAsync"/> checks, except the chunks of the files <paramref name="hashLater"/> picks: their
    /// size is checked, their bytes are left to <see cref="VerifyChunksAsync"/>. For a restore that hashes page images while
    /// the engine copies them into a process that is not let run before they verified (see docs/capture.md).
    /// </summary>
    /// <returns>The manifest, whose signature held, and the files whose chunks are still to be verified.</returns>
    /// <exception cref="CheckpointBundleRejectedException">With the first problem found.</exception>
    public async Task<(CheckpointManifest Manifest, IReadOnlyList<ManifestFile> HashLater)> VerifyAllButAsync(CheckpointBundle bundle, string? expectedJobId, int? expectedSequence,
        Func<ManifestFile, bool> hashLater, CancellationToken cancellationToken = default)
    {
        var manifest = await VerifyAsync(bundle, expectedJobId, expectedSequence, cancellationToken, chunksAlreadyHashed: true);
        await VerifyChunksAsync(bundle, manifest, [.. manifest.Files.Where(f => !hashLater(f))], cancellationToken);
        var later = manifest.Files.Where(hashLater).ToList();
        return (manifest, later);
    }

    /// <summary>Hashes every chunk of <paramref name="files"/> (listed in <paramref name="manifest"/>, whose signature and sizes were checked) against the manifest.</summary>
    /// <exception cref="CheckpointBundleRejectedException">With the first chunk that does not match, the same on every run.</exception>
    public static async Task VerifyChunksAsync(CheckpointBundle bundle, CheckpointManifest manifest, IReadOnlyList<ManifestFile> files, CancellationToken cancellationToken)
    {
        var root = bundle.Directory;
        string[][] hashes;
        try
        {
            hashes = await ChunkHasher.HashAsync([.. files.Select(f => (Path.Combine(root, f.Path), f.Size))], manifest.ChunkBytes, manifest.Format, cancellationToken);
        }
        catch (IOException e)
        {
            throw new CheckpointBundleRejectedException(root, $"a file could not be read in full: {e.Message}");
        }
        // Every chunk is hashed before any is judged, so that the first mismatch reported is the same on every run.
        for (var f = 0; f < files.Count; f++)
        {
            var file = files[f];
            for (var c = 0; c < hashes[f].Length; c++)
            {
                if (string.Equals(hashes[f][c], file.Chunks[c], StringComparison.OrdinalIgnoreCase))
                    continue;
                var start = (long)c * manifest.ChunkBytes;
                var end = Math.Min(start + manifest.ChunkBytes, file.Size) - 1;
                throw new CheckpointBundleRejectedException(root, $"{file.Path} chunk {c} (bytes {start}-{end}) does not match its SHA-256 in the manifest (the file was changed or damaged)");
            }
        }
    }

    /// <summary>Reads the manifest and checks its signature and job, but not the files: what a writer needs of a parent it took itself.</summary>
    /// <returns>The manifest and its bytes as stored (what a child's parent digest covers).</returns>
    /// <exception cref="CheckpointBundleRejectedException">With the first problem found.</exception>
    public async Task<(CheckpointManifest Manifest, byte[] Bytes)> ReadSignedManifestAsync(CheckpointBundle bundle, string? expectedJobId, CancellationToken cancellationToken)
    {
        var (manifest, bytes) = await ReadManifestAsync(bundle, cancellationToken);
        // First, so that nothing else the manifest says is believed before its origin is proven.
        if (signer.Check(ManifestJson.Canonical(manifest), manifest.Signature) is { } signatureProblem)
            throw new CheckpointBundleRejectedException(bundle.Directory, $"bad signature: {signatureProblem}");
        if (expectedJobId is not null && manifest.JobId != expectedJobId)
            throw new CheckpointBundleRejectedException(bundle.Directory, $"the manifest is for job {manifest.JobId}, not {expectedJobId}");
        return (manifest, bytes);
    }

    private static async Task<(CheckpointManifest Manifest, byte[] Bytes)> ReadManifestAsync(CheckpointBundle bundle, CancellationToken cancellationToken)
    {
        var info = new FileInfo(bundle.ManifestPath);
        if (info.LinkTarget is not null)
            throw new CheckpointBundleRejectedException(bundle.Directory, $"{CheckpointBundle.ManifestFileName} is a symbolic link");
        if (!info.Exists)
            throw new CheckpointBundleRejectedException(bundle.Directory, $"{CheckpointBundle.ManifestFileName} is missing");
        CheckpointManifest? manifest;
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(info.FullName, cancellationToken);
            // The format first: an older manifest has other fields, and "format 2 is not supported" says more than a field error.
            using (var document = JsonDocument.Parse(bytes))
            {
                if (document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("format", out var format)
                    && format.ValueKind == JsonValueKind.Number
                    && (!format.TryGetInt32(out var number) || !IsReadableFormat(number)))
                    throw new CheckpointBundleRejectedException(bundle.Directory, $"manifest format {format.GetRawText()} is not supported ({ReadableFormats})");
            }
            manifest = JsonSerializer.Deserialize<CheckpointManifest>(bytes, ManifestJson.Options);
        }
        catch (JsonException e)
        {
            throw new CheckpointBundleRejectedException(bundle.Directory, $"{CheckpointBundle.ManifestFileName} is not a valid manifest: {e.Message}");
        }
        if (manifest is null || manifest.Files is null)
            throw new CheckpointBundleRejectedException(bundle.Directory, $"{CheckpointBundle.ManifestFileName} is empty");
        if (!IsReadableFormat(manifest.Format))
            throw new CheckpointBundleRejectedException(bundle.Directory, $"manifest format {manifest.Format} is not supported ({ReadableFormats})");
        return (manifest, bytes);
    }

    private static bool IsReadableFormat(int format) => format is >= CheckpointManifest.OldestReadableFormat and <= CheckpointManifest.CurrentFormat;

    private static string ReadableFormats => $"expected {CheckpointManifest.OldestReadableFormat} to {CheckpointManifest.CurrentFormat}";

    /// <returns>Null when the path stays inside the bundle, else what is wrong with it.</returns>
    internal static string? PathProblem(string path)
    {
        if (string.IsNullOrEmpty(path))
            return "is empty";
        if (path.StartsWith('/') || Path.IsPathRooted(path))
            return "is absolute";
        if (path.Contains('\\') || path.Contains('\0'))
            return "contains a backslash or NUL";
        var segments = path.Split('/');
        if (segments.Any(s => s is ".." ))
            return "escapes the bundle (..)";
        if (segments.Any(s => s is "" or "."))
            return "is not a plain relative path";
        if (path == CheckpointBundle.ManifestFileName)
            return "is the manifest itself";
        return null;
    }

    /// <returns>Null when what the manifest says about encoded images and its parent is well-formed, else what is wrong.</returns>
    private static string? EncodingProblem(CheckpointManifest manifest)
    {
        var encoded = manifest.Files.Where(f => f.Image is not null).ToList();
        if (manifest.Format < 4)
            return encoded.Count > 0 || manifest.ParentDigest is not null
                ? $"a format {manifest.Format} manifest cannot hold encoded images or a parent digest"
                : null;
        if (manifest.ParentDigest is not null && manifest.ParentSequence is null)
            return "the manifest names a parent digest but no parent checkpoint";
        if (manifest.ParentSequence is { } parent)
        {
            if (parent < 1 || parent >= manifest.Sequence)
                return $"parent checkpoint {parent} does not come before checkpoint {manifest.Sequence}";
            if (manifest.ParentDigest is null || !ManifestDigest.IsWellFormed(manifest.ParentDigest))
                return $"the manifest names parent checkpoint {parent} without a well-formed parent digest (\"{ManifestDigest.Prefix}<64 hex>\")";
        }
        var storedPaths = manifest.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var images = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in encoded)
        {
            var image = file.Image!;
            if (!ImageEncodings.IsKnown(image.Encoding))
                return $"{file.Path} has the unknown encoding \"{image.Encoding}\"";
            if (PathProblem(image.Path) is { } problem)
                return $"{file.Path} decodes to \"{image.Path}\", which {problem}";
            if (!images.Add(image.Path) || storedPaths.Contains(image.Path))
                return $"two files decode to {image.Path}";
            if (image.Size is < 0 or > MaxImageBytes)
                return $"{file.Path} declares an image of {image.Size} bytes, outside 0..{MaxImageBytes}";
            if (image.Encoding == ImageEncodings.PageDelta)
            {
                if (manifest.ParentSequence is null)
                    return $"{file.Path} is a page delta, but the bundle has no parent";
                if (image.Size % Dedup.PageDelta.PageBytes != 0)
                    return $"{file.Path} declares a page image of {image.Size} bytes, not a whole number of pages";
            }
        }
        return null;
    }

    /// <summary>Far above any image a node can hold; a bound on what a decoder may be asked to write.</summary>
    public const long MaxImageBytes = 1L << 40;

    private static string Names(IReadOnlyCollection<string> names) =>
        string.Join(", ", names.Take(MaxNamesInMessage)) + (names.Count > MaxNamesInMessage ? $" and {names.Count - MaxNamesInMessage} more" : "");
}
