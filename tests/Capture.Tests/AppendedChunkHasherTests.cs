using System.Security.Cryptography;
using Caas.Capture.Engine.Bundles;

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

    private static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Appends the page image in pieces, as CRIU does, while the hasher runs; returns once it has hashed every complete chunk.</summary>
    private async Task<AppendedChunkHasher> HashWhileAppending()
    {
        var hasher = new AppendedChunkHasher(_bundle.Directory, ChunkBytes);
        using var dumpFinished = new CancellationTokenSource();
        var running = hasher.RunAsync(dumpFinished.Token);
        await using (var stream = new FileStream(_pages, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite))
        {
            for (var offset = 0; offset < _content.Length; offset += 1000)
            {
                stream.Write(_content.AsSpan(offset, Math.Min(1000, _content.Length - offset)));
                stream.Flush();
            }
        }
        await Eventually.Get(() => hasher.Hashed.GetValueOrDefault("images/pages-1.img"), hashed => hashed.Count == 3, TimeSpan.FromSeconds(10), "the three complete chunks hashed");
        await dumpFinished.CancelAsync();
        await running;
        return hasher;
    }

    [Fact]
    public async Task Complete_chunks_are_hashed_while_the_file_grows_and_the_short_tail_is_left_to_the_seal()
    {
        var hasher = await HashWhileAppending();

        Assert.Equal(
            [Sha256(_content.AsSpan(0, ChunkBytes)), Sha256(_content.AsSpan(ChunkBytes, ChunkBytes)), Sha256(_content.AsSpan(2 * ChunkBytes, ChunkBytes))],
            hasher.Hashed["images/pages-1.img"]);

        var manifest = await new CheckpointBundleWriter(TestBundles.Signer).SealAsync(_bundle, TestBundles.Manifest(Job, 1) with { ChunkBytes = ChunkBytes }, default, hasher);
        Assert.Equal(Sha256(_content.AsSpan(3 * ChunkBytes)), manifest.Files.Single().Chunks[3]);
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
}
