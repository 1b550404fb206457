using System.Text.Json.Nodes;
using Caas.Capture.Engine.Bundles;

namespace Caas.Capture.Tests;

[Trait("Category", "Unit")]
public sealed class CheckpointBundleVerifierTests : IDisposable
{
    private const string Job = "job-00000000aa";
    private readonly TemporaryDirectory _directory = new();
    private readonly CheckpointBundleVerifier _verifier = new(TestBundles.Signer);
    private readonly CheckpointBundle _bundle;

    public CheckpointBundleVerifierTests()
    {
        _bundle = CheckpointBundle.For(_directory.Combine("checkpoints"), Job, 3);
        Directory.CreateDirectory(_bundle.ImagesDirectory);
        File.WriteAllBytes(Path.Combine(_bundle.ImagesDirectory, "pages-1.img"), Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray());
        File.WriteAllText(Path.Combine(_bundle.ImagesDirectory, "core-1.img"), "core");
        Directory.CreateDirectory(Path.Combine(_bundle.ImagesDirectory, "sub"));
        File.WriteAllText(Path.Combine(_bundle.ImagesDirectory, "sub", "fdinfo.img"), "fds");
        new CheckpointBundleWriter(TestBundles.Signer).SealAsync(_bundle, TestBundles.Manifest(Job, 3)).GetAwaiter().GetResult();
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
        Assert.Equal("0d45f5fd462b8c70bffb10021ac1bcff3f58f29b1faf7568595095427d42812c", manifest.Files.Single(f => f.Path == "images/core-1.img").Sha256);
    }

    [Fact]
    public async Task A_changed_byte_is_refused()
    {
        using (var stream = File.OpenWrite(Path.Combine(_bundle.ImagesDirectory, "pages-1.img")))
        {
            stream.Position = 5000;
            stream.WriteByte(0xEE);
        }

        Assert.Equal("images/pages-1.img does not match its SHA-256 in the manifest (the file was changed or damaged)", await Refusal());
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
        EditManifest(files => files.Add(new JsonObject { ["path"] = path, ["size"] = 4, ["sha256"] = new string('0', 64) }));

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
