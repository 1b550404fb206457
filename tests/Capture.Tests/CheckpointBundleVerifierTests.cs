using System.Text.Json.Nodes;
using Caas.Capture.Engine.Bundles;

namespace Caas.Capture.Tests;

[Trait("Category", "Unit")]
public sealed class CheckpointBundleVerifierTests : IDisposable
{
    private const string Job = "job-00000000aa";
    private const int ChunkBytes = 4096;
    /// <summary>No two chunks alike, so that swapping chunks changes what each one hashes to.</summary>
    private static readonly byte[] Pages = Enumerable.Range(0, 10_000).Select(i => (byte)(i ^ (i >> 8))).ToArray();
    private readonly TemporaryDirectory _directory = new();
    private readonly CheckpointBundleVerifier _verifier = new(TestBundles.Signer);
    private readonly CheckpointBundle _bundle;

    public CheckpointBundleVerifierTests()
    {
        _bundle = CheckpointBundle.For(_directory.Combine("checkpoints"), Job, 3);
        Directory.CreateDirectory(_bundle.ImagesDirectory);
        File.WriteAllBytes(Path.Combine(_bundle.ImagesDirectory, "pages-1.img"), Pages);
        File.WriteAllText(Path.Combine(_bundle.ImagesDirectory, "core-1.img"), "core");
        Directory.CreateDirectory(Path.Combine(_bundle.ImagesDirectory, "sub"));
        File.WriteAllText(Path.Combine(_bundle.ImagesDirectory, "sub", "fdinfo.img"), "fds");
        // 4 KiB chunks, so that the 10,000-byte page file has three (4096, 4096, 1808 bytes) to tamper with.
        new CheckpointBundleWriter(TestBundles.Signer).SealAsync(_bundle, TestBundles.Manifest(Job, 3) with { ChunkBytes = ChunkBytes }).GetAwaiter().GetResult();
    }

    public void Dispose() => _directory.Dispose();

    private async Task<string> Refusal(string? jobId = Job, int? sequence = 3)
    {
        var refused = await Assert.ThrowsAsync<CheckpointBundleRejectedException>(() => _verifier.VerifyAsync(_bundle, jobId, sequence));
        Assert.Equal($"checkpoint bundle {_bundle.Directory} refused: {refused.Reason}", refused.Message);
        return refused.Reason;
    }

    /// <summary>Edits the file list and signs the result with the platform key, as an insider with the key could: the file checks must still hold.</summary>
    private void EditManifest(Action<JsonArray> editFiles)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(_bundle.ManifestPath))!;
        editFiles(manifest["files"]!.AsArray());
        File.WriteAllText(_bundle.ManifestPath, manifest.ToJsonString());
        TestBundles.Resign(_bundle, TestBundles.Signer);
    }

    [Fact]
    public async Task An_intact_bundle_is_accepted_with_its_manifest()
    {
        var manifest = await _verifier.VerifyAsync(_bundle, Job, 3);

        Assert.Equal(Job, manifest.JobId);
        Assert.Equal(3, manifest.Sequence);
        Assert.Equal(0.42, manifest.Progress);
        Assert.Equal(["images/core-1.img", "images/pages-1.img", "images/sub/fdinfo.img"], manifest.Files.Select(f => f.Path));
        Assert.Equal(10_000 + 4 + 3, manifest.TotalBytes);
        Assert.Equal(CheckpointManifest.CurrentFormat, manifest.Format);
        Assert.Equal(ChunkBytes, manifest.ChunkBytes);
        // The SHA-256 of the SHA-256 of "core" (one short block).
        Assert.Equal(["62389983e040f17626c6bcdf04e1b8de3f03af5d973ad9264f849e7aa7d20ce8"], manifest.Files.Single(f => f.Path == "images/core-1.img").Chunks);
        Assert.Equal(
            [TestBundles.ChunkHash(Pages[..4096]), TestBundles.ChunkHash(Pages[4096..8192]), TestBundles.ChunkHash(Pages[8192..])],
            manifest.Files.Single(f => f.Path == "images/pages-1.img").Chunks);
    }

    [Fact]
    public async Task An_agent_seals_with_64_MiB_chunks_unless_told_otherwise()
    {
        Assert.Equal(64 << 20, TestBundles.Manifest(Job, 3).ChunkBytes);
        var bundle = CheckpointBundle.For(_directory.Combine("checkpoints"), Job, 4);
        Directory.CreateDirectory(bundle.ImagesDirectory);
        File.WriteAllText(Path.Combine(bundle.ImagesDirectory, "core-1.img"), "core");
        await new CheckpointBundleWriter(TestBundles.Signer).SealAsync(bundle, TestBundles.Manifest(Job, 4));

        var manifest = await _verifier.VerifyAsync(bundle, Job, 4);

        Assert.Equal(64 << 20, manifest.ChunkBytes);
        Assert.Equal(["62389983e040f17626c6bcdf04e1b8de3f03af5d973ad9264f849e7aa7d20ce8"], manifest.Files.Single().Chunks);
    }

    [Fact]
    public async Task A_changed_byte_is_refused()
    {
        using (var stream = File.OpenWrite(Path.Combine(_bundle.ImagesDirectory, "pages-1.img")))
        {
            stream.Position = 5000;
            stream.WriteByte(0xEE);
        }

        Assert.Equal("images/pages-1.img chunk 1 (bytes 4096-8191) does not match its SHA-256 in the manifest (the file was changed or damaged)", await Refusal());
    }

    [Fact]
    public async Task A_changed_byte_in_the_short_last_chunk_is_refused()
    {
        using (var stream = File.OpenWrite(Path.Combine(_bundle.ImagesDirectory, "pages-1.img")))
        {
            stream.Position = 9_999;
            stream.WriteByte(0xEE);
        }

        Assert.Equal("images/pages-1.img chunk 2 (bytes 8192-9999) does not match its SHA-256 in the manifest (the file was changed or damaged)", await Refusal());
    }

    [Fact]
    public async Task Chunks_swapped_on_disk_are_refused()
    {
        var path = Path.Combine(_bundle.ImagesDirectory, "pages-1.img");
        var bytes = File.ReadAllBytes(path);
        var reordered = bytes[4096..8192].Concat(bytes[..4096]).Concat(bytes[8192..]).ToArray();
        File.WriteAllBytes(path, reordered);

        Assert.Equal("images/pages-1.img chunk 0 (bytes 0-4095) does not match its SHA-256 in the manifest (the file was changed or damaged)", await Refusal());
    }

    [Fact]
    public async Task Chunk_hashes_reordered_in_a_signed_manifest_are_refused()
    {
        EditManifest(files =>
        {
            var chunks = files.Single(f => (string)f!["path"]! == "images/pages-1.img")!["chunks"]!.AsArray();
            var first = chunks[0]!.GetValue<string>();
            chunks[0] = chunks[1]!.GetValue<string>();
            chunks[1] = first;
        });

        Assert.Equal("images/pages-1.img chunk 0 (bytes 0-4095) does not match its SHA-256 in the manifest (the file was changed or damaged)", await Refusal());
    }

    [Fact]
    public async Task A_file_truncated_on_a_chunk_boundary_is_refused()
    {
        using (var stream = File.OpenWrite(Path.Combine(_bundle.ImagesDirectory, "pages-1.img")))
            stream.SetLength(8192);

        Assert.Equal("images/pages-1.img has 8192 bytes, the manifest says 10000", await Refusal());
    }

    [Fact]
    public async Task A_file_and_manifest_truncated_together_by_a_key_holder_are_refused_for_the_missing_chunk()
    {
        using (var stream = File.OpenWrite(Path.Combine(_bundle.ImagesDirectory, "pages-1.img")))
            stream.SetLength(8192);
        EditManifest(files => files.Single(f => (string)f!["path"]! == "images/pages-1.img")!["size"] = 8192);

        Assert.Equal("the manifest lists 3 chunk hash(es) for images/pages-1.img, which needs 2", await Refusal());
    }

    [Fact]
    public async Task A_chunk_hash_dropped_from_a_signed_manifest_is_refused()
    {
        EditManifest(files => files.Single(f => (string)f!["path"]! == "images/pages-1.img")!["chunks"]!.AsArray().RemoveAt(2));

        Assert.Equal("the manifest lists 2 chunk hash(es) for images/pages-1.img, which needs 3", await Refusal());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4095)]
    public async Task A_signed_manifest_with_a_tiny_chunk_size_is_refused(int chunkBytes)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(_bundle.ManifestPath))!;
        manifest["chunkBytes"] = chunkBytes;
        File.WriteAllText(_bundle.ManifestPath, manifest.ToJsonString());
        TestBundles.Resign(_bundle, TestBundles.Signer);

        Assert.Equal($"the manifest's chunk size {chunkBytes} is outside 4096..1073741824 bytes", await Refusal());
    }

    [Fact]
    public async Task A_format_2_manifest_is_refused_for_its_format()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(_bundle.ManifestPath))!;
        manifest["format"] = 2;
        File.WriteAllText(_bundle.ManifestPath, manifest.ToJsonString());

        Assert.Equal("manifest format 2 is not supported (expected 3 to 5)", await Refusal());
    }

    [Fact]
    public async Task A_format_4_bundle_whose_chunks_are_hashed_whole_still_verifies_and_a_changed_byte_in_it_is_refused()
    {
        TestBundles.RewriteAsWholeChunkFormat(_bundle, TestBundles.Read(_bundle), 4);

        var accepted = await _verifier.VerifyAsync(_bundle, Job, 3);
        Assert.Equal(4, accepted.Format);
        Assert.Equal(TestBundles.WholeChunkHash(Pages[4096..8192]), accepted.Files.Single(f => f.Path == "images/pages-1.img").Chunks[1]);

        var pages = (byte[])Pages.Clone();
        pages[5000] ^= 1;
        File.WriteAllBytes(Path.Combine(_bundle.ImagesDirectory, "pages-1.img"), pages);
        Assert.Equal("images/pages-1.img chunk 1 (bytes 4096-8191) does not match its SHA-256 in the manifest (the file was changed or damaged)", await Refusal());
    }

    [Fact]
    public async Task Whole_chunk_hashes_in_a_format_5_manifest_are_refused()
    {
        // Each format has one definition of a chunk hash: a manifest cannot mix them to pass a file off.
        var whole = TestBundles.Read(_bundle);
        TestBundles.RewriteAsWholeChunkFormat(_bundle, whole, 4);
        TestBundles.Write(_bundle, TestBundles.Read(_bundle) with { Format = CheckpointManifest.CurrentFormat }, TestBundles.Signer);

        Assert.Equal("images/core-1.img chunk 0 (bytes 0-3) does not match its SHA-256 in the manifest (the file was changed or damaged)", await Refusal());
    }

    [Fact]
    public async Task A_format_5_manifest_whose_chunk_size_is_not_whole_blocks_is_refused()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(_bundle.ManifestPath))!;
        manifest["chunkBytes"] = 6000;
        File.WriteAllText(_bundle.ManifestPath, manifest.ToJsonString());
        TestBundles.Resign(_bundle, TestBundles.Signer);

        Assert.Equal("the manifest's chunk size 6000 is not a whole number of 4096-byte blocks, as format 5 needs", await Refusal());
    }

    [Fact]
    public async Task A_changed_size_is_refused()
    {
        File.AppendAllText(Path.Combine(_bundle.ImagesDirectory, "core-1.img"), "!");

        Assert.Equal("images/core-1.img has 5 bytes, the manifest says 4", await Refusal());
    }

    [Fact]
    public async Task An_extra_file_is_refused()
    {
        File.WriteAllText(Path.Combine(_bundle.ImagesDirectory, "sub", "planted.img"), "x");

        Assert.Equal("file(s) not listed in the manifest: images/sub/planted.img", await Refusal());
    }

    [Fact]
    public async Task A_missing_file_is_refused()
    {
        File.Delete(Path.Combine(_bundle.ImagesDirectory, "core-1.img"));

        Assert.Equal("missing file(s) listed in the manifest: images/core-1.img", await Refusal());
    }

    [Fact]
    public async Task A_missing_manifest_is_refused()
    {
        File.Delete(_bundle.ManifestPath);

        Assert.Equal("manifest.json is missing", await Refusal());
    }

    [Fact]
    public async Task A_manifest_that_is_not_json_is_refused()
    {
        File.WriteAllText(_bundle.ManifestPath, "{ not json");

        Assert.StartsWith("manifest.json is not a valid manifest: ", await Refusal());
    }

    [Theory]
    [InlineData("../../../etc/passwd", "escapes the bundle (..)")]
    [InlineData("images/../../outside.img", "escapes the bundle (..)")]
    [InlineData("/etc/passwd", "is absolute")]
    [InlineData("images//core-1.img", "is not a plain relative path")]
    public async Task A_manifest_path_outside_the_bundle_is_refused(string path, string problem)
    {
        EditManifest(files => files.Add(new JsonObject { ["path"] = path, ["size"] = 4, ["chunks"] = new JsonArray(new string('0', 64)) }));

        Assert.Equal($"the manifest names \"{path}\", which {problem}", await Refusal());
    }

    [Fact]
    public async Task A_symbolic_link_in_the_bundle_is_refused()
    {
        var target = _directory.Combine("elsewhere.img");
        File.WriteAllText(target, "core");
        var core = Path.Combine(_bundle.ImagesDirectory, "core-1.img");
        File.Delete(core);
        File.CreateSymbolicLink(core, target);

        Assert.Equal("images/core-1.img is a symbolic link; bundles hold only regular files", await Refusal());
    }

    [Fact]
    public async Task A_symbolic_link_as_manifest_is_refused()
    {
        var elsewhere = _directory.Combine("manifest-elsewhere.json");
        File.Move(_bundle.ManifestPath, elsewhere);
        File.CreateSymbolicLink(_bundle.ManifestPath, elsewhere);

        Assert.Equal("manifest.json is a symbolic link", await Refusal());
    }

    [Fact]
    public async Task A_bundle_of_another_job_or_checkpoint_is_refused()
    {
        Assert.Equal($"the manifest is for job {Job}, not job-00000000bb", await Refusal(jobId: "job-00000000bb"));
        Assert.Equal("the manifest is for checkpoint 3, not 4", await Refusal(sequence: 4));
    }

    [Fact]
    public async Task Staging_links_the_files_and_the_staged_copy_verifies()
    {
        var staged = BundleStaging.Stage(_bundle, _directory.Combine("staging"));
        var manifest = await _verifier.VerifyAsync(staged, Job, 3);

        Assert.Equal(3, manifest.Files.Count);
        // Hard links: the staged file is the bundle's file, not a copy that could differ.
        File.AppendAllText(Path.Combine(_bundle.ImagesDirectory, "core-1.img"), "!");
        Assert.Equal("core!", File.ReadAllText(Path.Combine(staged.ImagesDirectory, "core-1.img")));
    }

    [Fact]
    public void Staging_refuses_a_symbolic_link()
    {
        var core = Path.Combine(_bundle.ImagesDirectory, "core-1.img");
        File.Delete(core);
        File.CreateSymbolicLink(core, "/etc/passwd");

        var refused = Assert.Throws<CheckpointBundleRejectedException>(() => BundleStaging.Stage(_bundle, _directory.Combine("staging")));
        Assert.Equal("images/core-1.img is a symbolic link; bundles hold only regular files", refused.Reason);
    }
}
