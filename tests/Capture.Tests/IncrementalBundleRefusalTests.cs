using Caas.Capture.Engine.Bundles;
using Caas.Capture.Engine.Bundles.Dedup;

namespace Caas.Capture.Tests;

/// <summary>
/// The restore of an incremental bundle is a security boundary like any other: a bad reference, a foreign or
/// replaced or missing parent, an image that decodes to another size, or tampered bytes are refused, with the
/// reason, before any image reaches the engine. Crafted bundles are signed with the platform key where the
/// attack needs an insider, so that it is the later checks that must hold.
/// </summary>
[Trait("Category", "Unit")]
public sealed class IncrementalBundleRefusalTests : IDisposable
{
    private const string Job = "job-00000000d1";
    private const string OtherJob = "job-00000000d2";
    private const int Pages = 64;
    private readonly TemporaryDirectory _directory = new();
    private readonly SyntheticCheckpoints _checkpoints;
    private readonly byte[] _first = SyntheticCheckpoints.RandomPages(Pages, seed: 1);
    private readonly byte[] _second;

    public IncrementalBundleRefusalTests()
    {
        _checkpoints = new SyntheticCheckpoints(_directory.Combine("checkpoints"), Job);
        _second = SyntheticCheckpoints.Changed(_first, first: 8, count: 8, seed: 2);
    }

    public void Dispose() => _directory.Dispose();

    private string Staging => _directory.Combine("staging");

    private async Task TakeChain()
    {
        await _checkpoints.TakeAsync(1, _first);
        await _checkpoints.TakeAsync(2, _second, parentSequence: 1);
    }

    private async Task<string> Refusal(int sequence = 2)
    {
        var refused = await Assert.ThrowsAsync<CheckpointBundleRejectedException>(() => _checkpoints.PrepareAsync(sequence, Staging));
        // Nothing decoded for the engine: its directory is made only once every bundle of the chain verified, and never completed.
        Assert.False(File.Exists(Path.Combine(Staging, "images", "pages-1.img")) && File.Exists(Path.Combine(Staging, "images", "core-1.img")) && File.Exists(Path.Combine(Staging, "images", "pagemap-1.img")));
        return refused.Reason;
    }

    /// <summary>Replaces a stored file and reseals the manifest with the platform key: what an insider could do.</summary>
    private static async Task ReplaceSigned(CheckpointBundle bundle, string path, byte[] content, Func<ManifestFile, ManifestFile>? edit = null)
    {
        await File.WriteAllBytesAsync(Path.Combine(bundle.Directory, path), content);
        await EditSigned(bundle, f => f.Path == path
            ? (edit ?? (x => x))(f with { Size = content.Length, Chunks = Chunks(content, TestBundles.Read(bundle).ChunkBytes) })
            : f);
    }

    private static Task EditSigned(CheckpointBundle bundle, Func<ManifestFile, ManifestFile> edit)
    {
        var manifest = TestBundles.Read(bundle);
        TestBundles.Write(bundle, manifest with { Files = [.. manifest.Files.Select(edit)] }, TestBundles.Signer);
        return Task.CompletedTask;
    }

    private static string[] Chunks(byte[] content, int chunkBytes) =>
        [.. content.Chunk(chunkBytes).Select(c => TestBundles.ChunkHash(c))];

    private static byte[] DeltaOnly(PageDelta delta)
    {
        using var stream = new MemoryStream();
        delta.WriteHeader(stream);
        return stream.ToArray();
    }

    [Fact]
    public async Task A_reference_past_the_end_of_the_parents_image_is_refused()
    {
        await TakeChain();
        var delta = DeltaOnly(new PageDelta(Pages, 0, false, 0, ["images/pages-1.img"], [new PageRun(0, 1, Pages)]));
        await ReplaceSigned(_checkpoints.Bundle(2), "images/pages-1.img.delta", delta);

        Assert.Equal($"images/pages-1.img.delta cannot be decoded: run 0 refers to pages 1..{Pages} of images/pages-1.img, which has {Pages}", await Refusal());
    }

    [Fact]
    public async Task A_page_count_that_would_wrap_around_to_the_declared_size_is_refused()
    {
        await TakeChain();
        // Times 4096 this is the declared size plus 2^64: a multiplication would take it for the right one.
        var wrapping = Pages + (1L << 52);
        var delta = DeltaOnly(new PageDelta(wrapping, 0, false, 0, ["images/pages-1.img"], [new PageRun(0, 0, Pages)]));
        await ReplaceSigned(_checkpoints.Bundle(2), "images/pages-1.img.delta", delta);

        Assert.Equal($"images/pages-1.img.delta cannot be decoded: it holds {wrapping} pages, the manifest declares an image of {Pages * SyntheticCheckpoints.PageBytes} bytes", await Refusal());
    }

    [Fact]
    public async Task A_reference_to_an_image_the_parent_does_not_have_is_refused()
    {
        await TakeChain();
        var delta = DeltaOnly(new PageDelta(Pages, 0, false, 0, ["images/pages-9.img"], [new PageRun(0, 0, Pages)]));
        await ReplaceSigned(_checkpoints.Bundle(2), "images/pages-1.img.delta", delta);

        Assert.Equal("images/pages-1.img.delta cannot be decoded: it refers to images/pages-9.img, which the parent checkpoint does not have", await Refusal());
    }

    [Fact]
    public async Task A_delta_whose_runs_do_not_cover_the_declared_image_is_refused()
    {
        await TakeChain();
        var delta = DeltaOnly(new PageDelta(Pages, 0, false, 0, ["images/pages-1.img"], [new PageRun(0, 0, Pages - 1)]));
        await ReplaceSigned(_checkpoints.Bundle(2), "images/pages-1.img.delta", delta);

        Assert.Equal($"images/pages-1.img.delta cannot be decoded: its runs cover {Pages - 1} of {Pages} pages and 0 of 0 new pages", await Refusal());
    }

    /// <summary>A delta of one new page (the rest from the parent) whose compressed new pages hold <paramref name="newBytes"/>.</summary>
    private static byte[] DeltaWithCompressedNewPages(byte[] newBytes)
    {
        using var compressor = new ZstdSharp.Compressor(1);
        var block = compressor.Wrap(newBytes).ToArray();
        using var stream = new MemoryStream();
        new PageDelta(Pages, 1, true, block.Length, ["images/pages-1.img"], [new PageRun(PageDelta.NewPagesSource, 0, 1), new PageRun(0, 1, Pages - 1)]).WriteHeader(stream);
        stream.Write(block);
        return stream.ToArray();
    }

    [Theory]
    [InlineData(SyntheticCheckpoints.PageBytes - 1, "its new pages end before its runs do")]
    [InlineData(SyntheticCheckpoints.PageBytes + 1, "its compressed new pages decode to more than its runs use")]
    public async Task Compressed_new_pages_that_decode_to_fewer_or_more_bytes_than_the_runs_use_are_refused(int newBytes, string reason)
    {
        await TakeChain();
        await ReplaceSigned(_checkpoints.Bundle(2), "images/pages-1.img.delta", DeltaWithCompressedNewPages(new byte[newBytes]));

        Assert.Equal($"images/pages-1.img.delta cannot be decoded: {reason}", await Refusal());
    }

    [Fact]
    public async Task A_parent_that_belongs_to_another_job_is_refused()
    {
        await TakeChain();
        var other = new SyntheticCheckpoints(_directory.Combine("other"), OtherJob);
        await other.TakeAsync(1, _first);
        Directory.Delete(_checkpoints.Bundle(1).Directory, recursive: true);
        Directory.Move(other.Bundle(1).Directory, _checkpoints.Bundle(1).Directory);

        Assert.Equal($"the manifest is for job {OtherJob}, not {Job}", await Refusal());
    }

    [Fact]
    public async Task A_parent_replaced_by_another_checkpoint_of_the_same_sequence_is_refused_for_its_digest()
    {
        await TakeChain();
        Directory.Delete(_checkpoints.Bundle(1).Directory, recursive: true);
        await _checkpoints.TakeAsync(1, _second);

        var reason = await Refusal();

        // A validly signed parent of the same job and sequence, only not the one checkpoint 2 was taken against.
        Assert.StartsWith("checkpoint 2 was taken against another checkpoint 1 (its parent digest is sha256:", reason);
    }

    [Fact]
    public async Task A_missing_parent_is_refused()
    {
        await TakeChain();
        Directory.Delete(_checkpoints.Bundle(1).Directory, recursive: true);

        Assert.Equal("checkpoint 2 depends on checkpoint 1, which is missing", await Refusal());
    }

    [Fact]
    public async Task A_tampered_byte_in_a_delta_is_refused_for_its_chunk_hash()
    {
        await TakeChain();
        var path = Path.Combine(_checkpoints.Bundle(2).Directory, "images", "pages-1.img.delta");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);

        Assert.Matches(@"^images/pages-1\.img\.delta chunk 0 \(bytes 0-\d+\) does not match its SHA-256 in the manifest", await Refusal());
    }

    [Fact]
    public async Task An_image_that_decompresses_to_more_than_its_declared_size_is_refused_after_that_many_bytes()
    {
        await _checkpoints.TakeAsync(1, _first);
        await EditSigned(_checkpoints.Bundle(1), f => f.Image is { Encoding: ImageEncodings.Zstd } image ? f with { Image = image with { Size = 100 } } : f);

        Assert.Equal("images/core-1.img.zst cannot be decoded: it decompresses to more than the 100 bytes declared", await Refusal(1));
    }

    [Fact]
    public async Task An_image_that_decompresses_to_fewer_bytes_than_declared_is_refused()
    {
        await _checkpoints.TakeAsync(1, _first);
        var declared = SyntheticCheckpoints.Core(1).Length + 1;
        await EditSigned(_checkpoints.Bundle(1), f => f.Image is { Encoding: ImageEncodings.Zstd } image ? f with { Image = image with { Size = declared } } : f);

        Assert.Equal($"images/core-1.img.zst cannot be decoded: it decompresses to {declared - 1} bytes, {declared} were declared", await Refusal(1));
    }

    [Fact]
    public async Task Bytes_that_are_not_zstd_are_refused()
    {
        await _checkpoints.TakeAsync(1, _first);
        await ReplaceSigned(_checkpoints.Bundle(1), "images/core-1.img.zst", "not zstd at all"u8.ToArray());

        Assert.StartsWith("images/core-1.img.zst cannot be decoded: it is not valid zstd data", await Refusal(1));
    }

    [Fact]
    public async Task A_page_delta_in_a_bundle_without_a_parent_is_refused()
    {
        await TakeChain();
        var manifest = TestBundles.Read(_checkpoints.Bundle(2));
        TestBundles.Write(_checkpoints.Bundle(2), manifest with { ParentSequence = null, ParentDigest = null }, TestBundles.Signer);

        Assert.Equal("images/pages-1.img.delta is a page delta, but the bundle has no parent", await Refusal());
    }

    [Fact]
    public async Task An_unknown_encoding_and_an_image_outside_the_bundle_are_refused()
    {
        await _checkpoints.TakeAsync(1, _first);
        await EditSigned(_checkpoints.Bundle(1), f => f.Image is { } image ? f with { Image = image with { Encoding = "lz4" } } : f);
        Assert.Equal("images/core-1.img.zst has the unknown encoding \"lz4\"", await Refusal(1));

        await EditSigned(_checkpoints.Bundle(1), f => f.Image is { } image ? f with { Image = image with { Encoding = ImageEncodings.Zstd, Path = "../core-1.img" } } : f);
        Assert.Equal("images/core-1.img.zst decodes to \"../core-1.img\", which escapes the bundle (..)", await Refusal(1));
    }

    [Fact]
    public async Task A_parent_digest_changed_by_someone_without_the_key_is_refused_for_the_signature()
    {
        await TakeChain();
        var manifestPath = _checkpoints.Bundle(2).ManifestPath;
        var text = await File.ReadAllTextAsync(manifestPath);
        var digest = TestBundles.Read(_checkpoints.Bundle(2)).ParentDigest!;
        await File.WriteAllTextAsync(manifestPath, text.Replace(digest, ManifestDigest.Of("another parent"u8)));

        Assert.StartsWith("bad signature: the signature does not match", await Refusal());
    }
}
