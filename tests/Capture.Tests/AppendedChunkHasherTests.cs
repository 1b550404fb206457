using System.Security.Cryptography;
using Caas.Capture.Engine.Bundles;
using Caas.Capture.Engine.Bundles.Dedup;

namespace Caas.Capture.Tests;

[Trait("Category", "Unit")]
public sealed class AppendedChunkHasherTests : IDisposable
{
    private const string Job = "job-00000000cc";
    private const int ChunkBytes = 4096;
    private readonly TemporaryDirectory _directory = new();
    private readonly CheckpointBundle _bundle;
    private readonly string _pages;
    private readonly byte[] _content = Enumerable.Range(0, 3 * ChunkBytes + 100).Select(i => (byte)(i ^ (i >> 8) ^ (i >> 12))).ToArray();

    public AppendedChunkHasherTests()
    {
        _bundle = CheckpointBundle.For(_directory.Combine("checkpoints"), Job, 1);
        Directory.CreateDirectory(_bundle.ImagesDirectory);
        _pages = Path.Combine(_bundle.ImagesDirectory, "pages-1.img");
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>Appends the page image in pieces, as CRIU does, while the hasher runs; returns once it has hashed every complete chunk.</summary>
    private async Task<AppendedChunkHasher> HashWhileAppending(int chunkBytes = ChunkBytes, bool hashPages = false, byte[]? written = null)
    {
        var content = written ?? _content;
        var hasher = new AppendedChunkHasher(_bundle.Directory, chunkBytes, hashPages);
        using var dumpFinished = new CancellationTokenSource();
        var running = hasher.RunAsync(dumpFinished.Token);
        await using (var stream = new FileStream(_pages, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite))
        {
            for (var offset = 0; offset < content.Length; offset += 1000)
            {
                stream.Write(content.AsSpan(offset, Math.Min(1000, content.Length - offset)));
                stream.Flush();
            }
        }
        var complete = content.Length / chunkBytes;
        await Eventually.Get(() => hasher.PageHashes.GetValueOrDefault("images/pages-1.img")?.Length ?? hasher.Hashed.GetValueOrDefault("images/pages-1.img")?.Count,
            hashed => hashed == (hashPages ? complete * chunkBytes / 4096 * PageIndex.HashBytes : complete), TimeSpan.FromSeconds(10), "every complete chunk hashed");
        await dumpFinished.CancelAsync();
        await running;
        return hasher;
    }

    [Fact]
    public async Task Complete_chunks_are_hashed_while_the_file_grows_and_the_short_tail_is_left_to_the_seal()
    {
        var hasher = await HashWhileAppending();

        Assert.Equal(
            [TestBundles.ChunkHash(_content.AsSpan(0, ChunkBytes)), TestBundles.ChunkHash(_content.AsSpan(ChunkBytes, ChunkBytes)), TestBundles.ChunkHash(_content.AsSpan(2 * ChunkBytes, ChunkBytes))],
            hasher.Hashed["images/pages-1.img"]);

        var manifest = await new CheckpointBundleWriter(TestBundles.Signer).SealAsync(_bundle, TestBundles.Manifest(Job, 1) with { ChunkBytes = ChunkBytes }, default, hasher);
        Assert.Equal(TestBundles.ChunkHash(_content.AsSpan(3 * ChunkBytes)), manifest.Files.Single().Chunks[3]);
        await new CheckpointBundleVerifier(TestBundles.Signer).VerifyAsync(_bundle, Job, 1);
    }

    [Fact]
    public async Task A_chunk_changed_after_it_was_hashed_during_the_dump_makes_the_checkpoint_refused_not_accepted()
    {
        var hasher = await HashWhileAppending();
        using (var stream = File.OpenWrite(_pages))
        {
            stream.Position = 10;
            stream.WriteByte(0xEE);
        }
        await new CheckpointBundleWriter(TestBundles.Signer).SealAsync(_bundle, TestBundles.Manifest(Job, 1) with { ChunkBytes = ChunkBytes }, default, hasher);

        var refused = await Assert.ThrowsAsync<CheckpointBundleRejectedException>(() => new CheckpointBundleVerifier(TestBundles.Signer).VerifyAsync(_bundle, Job, 1));
        Assert.Equal("images/pages-1.img chunk 0 (bytes 0-4095) does not match its SHA-256 in the manifest (the file was changed or damaged)", refused.Reason);
    }

    [Fact]
    public async Task Hashes_taken_with_another_chunk_size_are_not_reused()
    {
        var hasher = await HashWhileAppending();
        File.WriteAllBytes(_pages, _content.Reverse().ToArray());

        var manifest = await new CheckpointBundleWriter(TestBundles.Signer).SealAsync(_bundle, TestBundles.Manifest(Job, 1) with { ChunkBytes = 2 * ChunkBytes }, default, hasher);

        Assert.Equal(2, manifest.Files.Single().Chunks.Count);
        await new CheckpointBundleVerifier(TestBundles.Signer).VerifyAsync(_bundle, Job, 1);
    }

    [Fact]
    public async Task Page_hashes_taken_during_the_dump_are_the_page_index_so_the_seal_reads_only_the_pages_after_them()
    {
        // Whole pages only, as CRIU's page images are: 5 pages, chunks of 2 pages, so 4 pages hashed during the dump.
        var hasher = await HashWhileAppending(chunkBytes: 2 * 4096, hashPages: true, written: Enumerable.Range(0, 5 * 4096).Select(i => (byte)(i * 7 ^ (i >> 9))).ToArray());

        var early = hasher.PageHashes["images/pages-1.img"];
        Assert.Equal(4 * PageIndex.HashBytes, early.Length);
        var all = await PageIndex.HashPagesAsync(_pages, default);
        Assert.Equal(all.AsSpan(0, early.Length).ToArray(), early);
        Assert.Equal(all, await PageIndex.HashPagesAsync(_pages, default, early));
        Assert.Equal(2, hasher.Hashed["images/pages-1.img"].Count);
        // One pass: each chunk's manifest hash is the SHA-256 of its pages' hashes, the very bytes of the page index.
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(early.AsSpan(0, 2 * PageIndex.HashBytes))), hasher.Hashed["images/pages-1.img"][0]);
    }

    [Fact]
    public async Task Once_chunks_are_skipped_only_pages_are_hashed_and_the_seal_hashes_the_rest_itself()
    {
        var hasher = new AppendedChunkHasher(_bundle.Directory, ChunkBytes, hashPages: true);
        hasher.SkipChunks();
        var written = _content.AsSpan(0, 3 * ChunkBytes).ToArray();
        await File.WriteAllBytesAsync(_pages, written);
        using var dumpFinished = new CancellationTokenSource();
        var running = hasher.RunAsync(dumpFinished.Token);
        await Eventually.Get(() => hasher.PageHashes.GetValueOrDefault("images/pages-1.img")?.Length, length => length == 3 * PageIndex.HashBytes, TimeSpan.FromSeconds(10), "every page hashed");
        await dumpFinished.CancelAsync();
        await running;

        Assert.Empty(hasher.Hashed["images/pages-1.img"]);
        var manifest = await new CheckpointBundleWriter(TestBundles.Signer).SealAsync(_bundle, TestBundles.Manifest(Job, 1) with { ChunkBytes = ChunkBytes }, default, hasher);
        Assert.Equal(TestBundles.ChunkHash(written.AsSpan(0, ChunkBytes)), manifest.Files.Single().Chunks[0]);
        await new CheckpointBundleVerifier(TestBundles.Signer).VerifyAsync(_bundle, Job, 1);
    }

    [Fact]
    public async Task After_the_dump_the_chunks_left_are_hashed_in_one_read_with_their_pages_and_the_seal_only_hashes_the_tail()
    {
        var written = Enumerable.Range(0, 7 * 4096 + 10).Select(i => (byte)(i * 13 ^ (i >> 10))).ToArray();
        await File.WriteAllBytesAsync(_pages, written);
        var hasher = new AppendedChunkHasher(_bundle.Directory, 2 * 4096, hashPages: true);

        await hasher.FinishAsync(CancellationToken.None);

        Assert.Equal([TestBundles.ChunkHash(written.AsSpan(0, 8192)), TestBundles.ChunkHash(written.AsSpan(8192, 8192)), TestBundles.ChunkHash(written.AsSpan(16384, 8192))], hasher.Hashed["images/pages-1.img"]);
        var pages = hasher.PageHashes["images/pages-1.img"];
        Assert.Equal(6 * PageIndex.HashBytes, pages.Length);
        Assert.Equal(SHA256.HashData(written.AsSpan(5 * 4096, 4096)), pages.AsSpan(5 * PageIndex.HashBytes, PageIndex.HashBytes).ToArray());
        var manifest = await new CheckpointBundleWriter(TestBundles.Signer).SealAsync(_bundle, TestBundles.Manifest(Job, 1) with { ChunkBytes = 2 * 4096 }, default, hasher);
        Assert.Equal(TestBundles.ChunkHash(written.AsSpan(6 * 4096)), manifest.Files.Single().Chunks[3]);
        await new CheckpointBundleVerifier(TestBundles.Signer).VerifyAsync(_bundle, Job, 1);
    }
}
