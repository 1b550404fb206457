using Caas.Capture.Agent.Transfer;
using Caas.Capture.Engine.Bundles;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Capture.Tests;

/// <summary>node-c (127.0.0.3) pulling real signed bundles from node-b's transfer server (127.0.0.2) over real HTTP.</summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TransferClientTests : TwoAgentTest
{
    private const string Job = "job-00000000c1";

    private CheckpointSource From(int sequence, Uri? server = null, string? token = null) =>
        new(server ?? Source.Url, token ?? Source.Tokens.MintImageRead(Job, sequence, TransferAgents.TargetNode, TimeSpan.FromMinutes(5)).Token, Job, sequence);

    private Task<CheckpointManifest> VerifyOnTarget(int sequence) =>
        Target.Services.GetRequiredService<CheckpointBundleVerifier>().VerifyAsync(Target.Paths.Checkpoint(Job, sequence), Job, sequence);

    [Fact]
    public async Task A_bundle_arrives_verified_in_the_targets_checkpoint_directory_with_its_progress_reported()
    {
        var manifest = await Source.SealBundleAsync(Job, 1, parent: null, 64 << 10, ("images/pages-1.img", 300_000), ("images/core-1.img", 5_000), ("images/empty.img", 0));
        var reports = new List<TransferProgress>();

        var outcome = await Target.Client.FetchAsync(From(1), p => { reports.Add(p); return Task.CompletedTask; }, CancellationToken.None);

        Assert.Equal(manifest.Signature, (await VerifyOnTarget(1)).Signature);
        Assert.Equal(1, outcome.BundlesFetched);
        Assert.Equal(TestTransferBundles.WireBytes(Source.Paths.Checkpoint(Job, 1), manifest), outcome.BytesMoved);
        Assert.Equal(new TransferProgress(305_000, 305_000, reports[^1].BytesPerSecond), reports[^1]);
        Assert.True(reports[^1].BytesPerSecond > 0);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Target.Paths.DataDirectory, "transfers")));
    }

    [Fact]
    public async Task A_connection_cut_mid_transfer_resumes_where_it_broke_and_ends_verified()
    {
        // Chunks of 1 MiB and a cut at 1.5 MiB: the break lands inside a chunk, whose hash must go on across the two requests.
        var manifest = await Source.SealBundleAsync(Job, 1, parent: null, 1 << 20, ("images/pages-1.img", 4 << 20), ("images/core-1.img", 20_000));
        var wireBytes = TestTransferBundles.WireBytes(Source.Paths.Checkpoint(Job, 1), manifest);
        await using var proxy = new CuttingProxy(Source.Url, cutFirstConnectionAfter: (3 << 20) / 2);

        var outcome = await Target.Client.FetchAsync(From(1, proxy.Url), null, CancellationToken.None);

        Assert.Equal(manifest.Signature, (await VerifyOnTarget(1)).Signature);
        Assert.Equal(1, proxy.CutConnections);
        Assert.True(proxy.Connections >= 2, $"{proxy.Connections} connection(s)");
        Assert.Matches(@"Range: bytes=\d+-", proxy.Requests);
        Assert.DoesNotMatch(@"Range: bytes=0-", proxy.Requests);
        Assert.Equal(wireBytes, outcome.BytesMoved);
        Assert.True(proxy.BytesToClient < 1.2 * wireBytes, $"{proxy.BytesToClient} bytes crossed the network for a {wireBytes}-byte bundle");
    }

    public static TheoryData<string> RefusedTokens => ["expired", "another purpose", "another job", "another bundle", "tampered"];

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task A_refused_token_fails_the_transfer_with_the_servers_reason_and_writes_nothing(string kind)
    {
        await Source.SealBundleAsync(Job, 1, parent: null, 64 << 10, ("images/pages-1.img", 100_000));
        await Source.SealBundleAsync(Job, 2, parent: null, 64 << 10, ("images/pages-1.img", 100_000));
        var (token, reason) = kind switch
        {
            "expired" => (Agents.ExpiredToken(Job, 1), "the transfer token expired"),
            "another purpose" => (Source.Tokens.Mint("image-write", Job, 1, TransferAgents.TargetNode, TimeSpan.FromMinutes(5)).Token, "(403): the transfer token is for \"image-write\""),
            "another job" => (Source.Tokens.MintImageRead("job-00000000c2", 1, TransferAgents.TargetNode, TimeSpan.FromMinutes(5)).Token, $"(403): the transfer token is for job job-00000000c2, not {Job}"),
            "another bundle" => (Source.Tokens.MintImageRead(Job, 2, TransferAgents.TargetNode, TimeSpan.FromMinutes(5)).Token, "(403): the transfer token is for checkpoint 2"),
            _ => (TransferAgents.Tampered(Source.Tokens.MintImageRead(Job, 1, TransferAgents.TargetNode, TimeSpan.FromMinutes(5)).Token), "(401): the transfer token's signature does not match"),
        };

        var failure = await Assert.ThrowsAsync<TransferFailedException>(() => Target.Client.FetchAsync(From(1, token: token), null, CancellationToken.None));

        Assert.StartsWith("the source refused the manifest of checkpoint 1", failure.Message);
        Assert.Contains(reason, failure.Message);
        Target.AssertHoldsNothingOf(Job);
    }

    [Fact]
    public async Task A_source_serving_a_changed_file_is_caught_at_the_changed_chunk_and_nothing_is_kept()
    {
        await Source.SealBundleAsync(Job, 1, parent: null, 64 << 10, ("images/core-1.img", 1_000), ("images/pages-1.img", 300_000));
        await using (var file = File.OpenWrite(Path.Combine(Source.Paths.Checkpoint(Job, 1).ImagesDirectory, "pages-1.img")))
        {
            file.Position = 200_000;
            file.WriteByte(0x42);
            file.WriteByte(0x43);
        }

        var failure = await Assert.ThrowsAsync<TransferFailedException>(() => Target.Client.FetchAsync(From(1), null, CancellationToken.None));

        Assert.Equal("images/pages-1.img chunk 3 (bytes 196608-262143) does not match its SHA-256 in the signed manifest: the source sent other bytes than it signed", failure.Message);
        Target.AssertHoldsNothingOf(Job);
    }

    [Fact]
    public async Task A_manifest_not_signed_with_the_platform_key_is_not_served_and_nothing_is_kept()
    {
        var bundle = Source.Paths.Checkpoint(Job, 1);
        await Source.SealBundleAsync(Job, 1, parent: null, 64 << 10, ("images/pages-1.img", 1_000));
        TestBundles.Resign(bundle, new HmacManifestSigner(TestBundles.OtherKey));

        var failure = await Assert.ThrowsAsync<TransferFailedException>(() => Target.Client.FetchAsync(From(1), null, CancellationToken.None));

        Assert.Equal($"the source refused the manifest of checkpoint 1 (409): checkpoint 1 of job {Job} on this node is damaged: bad signature: the signature does not match: the manifest was changed after signing, or signed with another platform key", failure.Message);
        Target.AssertHoldsNothingOf(Job);
    }

    [Fact]
    public async Task Missing_parents_come_first_and_parents_already_here_are_not_fetched_again()
    {
        var first = await Source.SealBundleAsync(Job, 1, parent: null, 64 << 10, ("images/pages-1.img", 200_000));
        var second = await Source.SealBundleAsync(Job, 2, parent: 1, 64 << 10, ("images/pages-1.img", 30_000));
        var third = await Source.SealBundleAsync(Job, 3, parent: 2, 64 << 10, ("images/pages-1.img", 10_000));

        var both = await Target.Client.FetchAsync(From(2), null, CancellationToken.None);

        Assert.Equal(first.Signature, (await VerifyOnTarget(1)).Signature);
        Assert.Equal(second.Signature, (await VerifyOnTarget(2)).Signature);
        Assert.Equal(2, both.BundlesFetched);
        Assert.Equal(TestTransferBundles.WireBytes(Source.Paths.Checkpoint(Job, 1), first) + TestTransferBundles.WireBytes(Source.Paths.Checkpoint(Job, 2), second), both.BytesMoved);

        var next = await Target.Client.FetchAsync(From(3), null, CancellationToken.None);

        Assert.Equal(third.Signature, (await VerifyOnTarget(3)).Signature);
        Assert.Equal(1, next.BundlesFetched);
        Assert.Equal(TestTransferBundles.WireBytes(Source.Paths.Checkpoint(Job, 3), third), next.BytesMoved);
    }

    [Fact]
    public async Task Two_requests_for_the_same_bundle_at_once_fetch_it_once_and_both_succeed()
    {
        // A migration and the pool's copy of a new checkpoint ask the same target for it at the same moment.
        var sealedManifest = await Source.SealBundleAsync(Job, 1, parent: null, 64 << 10, ("images/pages-1.img", 300_000));

        var outcomes = await Task.WhenAll(Target.Client.FetchAsync(From(1), null, CancellationToken.None), Target.Client.FetchAsync(From(1), null, CancellationToken.None));

        Assert.Equal(1, outcomes.Sum(o => o.BundlesFetched));
        Assert.Equal(sealedManifest.Signature, (await VerifyOnTarget(1)).Signature);
    }

    [Fact]
    public async Task A_damaged_copy_already_on_the_target_is_not_overwritten()
    {
        await Source.SealBundleAsync(Job, 1, parent: null, 64 << 10, ("images/pages-1.img", 1_000));
        await Target.Client.FetchAsync(From(1), null, CancellationToken.None);
        var kept = Path.Combine(Target.Paths.Checkpoint(Job, 1).ImagesDirectory, "pages-1.img");
        await File.WriteAllBytesAsync(kept, new byte[1_000]);

        var failure = await Assert.ThrowsAsync<TransferFailedException>(() => Target.Client.FetchAsync(From(1), null, CancellationToken.None));

        Assert.StartsWith($"checkpoint 1 of job {Job} is already on node {TransferAgents.TargetNode} but does not verify (images/pages-1.img chunk 0", failure.Message);
        Assert.Equal(new byte[1_000], await File.ReadAllBytesAsync(kept));
    }
}
