using System.Text.Json.Nodes;
using Caas.Capture.Engine.Bundles;

namespace Caas.Capture.Tests;

/// <summary>The signature is a security boundary: only a holder of the platform key makes a bundle an agent restores.</summary>
[Trait("Category", "Unit")]
public sealed class ManifestSignatureTests : IDisposable
{
    private const string Job = "job-00000000cc";
    private const string Mismatch = "bad signature: the signature does not match: the manifest was changed after signing, or signed with another platform key";
    private readonly TemporaryDirectory _directory = new();
    private readonly CheckpointBundleVerifier _verifier = new(TestBundles.Signer);
    private readonly CheckpointBundle _bundle;

    public ManifestSignatureTests()
    {
        _bundle = CheckpointBundle.For(_directory.Combine("checkpoints"), Job, 1);
        Directory.CreateDirectory(_bundle.ImagesDirectory);
        File.WriteAllText(Path.Combine(_bundle.ImagesDirectory, "core-1.img"), "core of the real job");
        File.WriteAllText(Path.Combine(_bundle.ImagesDirectory, "pages-1.img"), "pages of the real job");
        new CheckpointBundleWriter(TestBundles.Signer).SealAsync(_bundle, TestBundles.Manifest(Job, 1)).GetAwaiter().GetResult();
    }

    public void Dispose() => _directory.Dispose();

    private async Task<string> Refusal() =>
        (await Assert.ThrowsAsync<CheckpointBundleRejectedException>(() => _verifier.VerifyAsync(_bundle, Job, 1))).Reason;

    private void EditManifestText(Action<JsonNode> edit)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(_bundle.ManifestPath))!;
        edit(manifest);
        File.WriteAllText(_bundle.ManifestPath, manifest.ToJsonString());
    }

    [Fact]
    public async Task A_bundle_sealed_with_the_platform_key_verifies_and_carries_an_hmac_sha256_signature()
    {
        var manifest = await _verifier.VerifyAsync(_bundle, Job, 1);

        Assert.Matches("^hmac-sha256:[0-9a-f]{64}$", manifest.Signature);
        Assert.Equal(["fpu", "sse2"], manifest.CpuFlags);
    }

    [Theory]
    [InlineData("progress", 0.99)]
    [InlineData("nodeId", "node-evil")]
    [InlineData("engine", "criu 9.0")]
    [InlineData("leaveRunning", false)]
    public async Task A_manifest_field_changed_after_signing_is_refused(string field, object value)
    {
        EditManifestText(m => m[field] = JsonValue.Create(value));

        Assert.Equal(Mismatch, await Refusal());
    }

    [Fact]
    public async Task A_cpu_flag_removed_from_a_signed_manifest_is_refused()
    {
        EditManifestText(m => m["cpuFlags"]!.AsArray().RemoveAt(1));

        Assert.Equal(Mismatch, await Refusal());
    }

    [Fact]
    public async Task A_changed_signature_is_refused()
    {
        EditManifestText(m =>
        {
            var signature = (string)m["signature"]!;
            var last = signature[^1] == '0' ? '1' : '0';
            m["signature"] = signature[..^1] + last;
        });

        Assert.Equal(Mismatch, await Refusal());
    }

    [Theory]
    [InlineData(null, "bad signature: the manifest is not signed")]
    [InlineData("", "bad signature: the manifest is not signed")]
    [InlineData("sha256:00", "bad signature: the signature is not of the form \"hmac-sha256:<hex>\"")]
    [InlineData("hmac-sha256:abc", "bad signature: the signature is not 64 hex digits")]
    [InlineData("hmac-sha256:zz00000000000000000000000000000000000000000000000000000000000000", "bad signature: the signature is not 64 hex digits")]
    public async Task A_missing_or_malformed_signature_is_refused(string? signature, string reason)
    {
        EditManifestText(m => m["signature"] = signature);

        Assert.Equal(reason, await Refusal());
    }

    [Fact]
    public async Task A_bundle_signed_with_another_key_is_refused()
    {
        TestBundles.Resign(_bundle, new HmacManifestSigner(TestBundles.OtherKey));

        Assert.Equal(Mismatch, await Refusal());
    }

    [Fact]
    public async Task A_swapped_image_file_is_refused_even_when_the_attacker_re_signs_the_manifest_with_their_own_key()
    {
        var core = Path.Combine(_bundle.ImagesDirectory, "core-1.img");
        File.WriteAllText(core, "core of a crafted job");
        // The attacker rewrites the checksums to match the swapped file and signs with the only key they have.
        await new CheckpointBundleWriter(new HmacManifestSigner(TestBundles.OtherKey)).SealAsync(_bundle, TestBundles.Manifest(Job, 1));

        Assert.Equal(Mismatch, await Refusal());
    }

    [Fact]
    public async Task A_swapped_image_file_under_a_correctly_signed_manifest_is_refused_by_its_checksum()
    {
        File.WriteAllText(Path.Combine(_bundle.ImagesDirectory, "pages-1.img"), "pages of the fake job");
        TestBundles.Resign(_bundle, TestBundles.Signer);

        Assert.Equal("images/pages-1.img chunk 0 (bytes 0-20) does not match its SHA-256 in the manifest (the file was changed or damaged)", await Refusal());
    }

    [Fact]
    public async Task The_signature_is_checked_before_the_manifest_is_believed_about_whose_bundle_it_is()
    {
        EditManifestText(m => m["jobId"] = "job-00000000dd");

        var refused = await Assert.ThrowsAsync<CheckpointBundleRejectedException>(() => _verifier.VerifyAsync(_bundle, "job-00000000dd", 1));
        Assert.Equal(Mismatch, refused.Reason);
    }

    [Fact]
    public void A_key_of_the_wrong_length_is_refused()
    {
        var refused = Assert.Throws<ArgumentException>(() => new HmacManifestSigner(new byte[16]));

        Assert.StartsWith("the image key must be 32 bytes, not 16", refused.Message);
    }

    [Fact]
    public void The_signer_never_shows_its_key()
    {
        Assert.Equal("HmacManifestSigner (key hidden)", TestBundles.Signer.ToString());
    }
}
