using System.Text.Json;
using Caas.Capture.Agent.Transfer;
using Caas.Capture.Engine.Bundles;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Caas.Capture.Tests;

/// <summary>
/// node-c fetching from a source that misbehaves on purpose: a real HTTP server on 127.0.0.4 that
/// serves crafted manifests or breaks the protocol, as a compromised or broken node would. The
/// target must refuse, give up in bounded time, and keep nothing.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HostileSourceTests : TwoAgentTest
{
    private const string Job = "job-00000000e1";
    private WebApplication? _hostile;

    public override async Task DisposeAsync()
    {
        if (_hostile is not null)
            await _hostile.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>Serves <paramref name="manifest"/> as checkpoint 1's manifest and answers file requests with <paramref name="file"/>.</summary>
    private async Task<Uri> StartHostileSource(byte[] manifest, RequestDelegate file)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.4:0");
        _hostile = builder.Build();
        _hostile.MapGet(BundleRequests.ManifestRoute, () => Results.Bytes(manifest, "application/json"));
        _hostile.MapGet(BundleRequests.FileRoute, file);
        await _hostile.StartAsync();
        return new Uri(_hostile.Urls.First());
    }

    /// <summary>A real bundle sealed by node-b, with its manifest bytes and the content of its one file.</summary>
    private async Task<(CheckpointManifest Manifest, byte[] ManifestBytes, byte[] Content)> RealBundle(int bytes = 200_000)
    {
        var manifest = await Source.SealBundleAsync(Job, 1, parent: null, 64 << 10, ("images/pages-1.img", bytes));
        var bundle = Source.Paths.Checkpoint(Job, 1);
        return (manifest, await File.ReadAllBytesAsync(bundle.ManifestPath), await File.ReadAllBytesAsync(Path.Combine(bundle.Directory, "images/pages-1.img")));
    }

    /// <summary>The manifest re-signed after a change, as only a holder of <paramref name="key"/> could.</summary>
    private static byte[] Signed(CheckpointManifest manifest, byte[] key)
    {
        using var directory = new TemporaryDirectory();
        var bundle = new CheckpointBundle(directory.Path);
        TestBundles.Write(bundle, manifest, new HmacManifestSigner(key));
        return File.ReadAllBytes(bundle.ManifestPath);
    }

    private Task<TransferFailedException> FetchFails(Uri source) =>
        Assert.ThrowsAsync<TransferFailedException>(() => Target.Client.FetchAsync(
            new CheckpointSource(source, "any", Job, 1), null, CancellationToken.None));

    private static Task Serve(HttpContext http, byte[] content) => http.Response.Body.WriteAsync(content).AsTask();

    [Fact]
    public async Task A_manifest_signed_with_another_key_is_refused_before_any_file_is_asked_for()
    {
        var (manifest, _, content) = await RealBundle();
        var fileRequests = 0;
        var source = await StartHostileSource(Signed(manifest, TestBundles.OtherKey), http => { fileRequests++; return Serve(http, content); });

        var failure = await FetchFails(source);

        Assert.Equal($"checkpoint 1 of job {Job} from {source} refused: bad signature: the signature does not match: the manifest was changed after signing, or signed with another platform key", failure.Message);
        Assert.Equal(0, fileRequests);
        Target.AssertHoldsNothingOf(Job);
    }

    [Fact]
    public async Task A_signed_manifest_naming_a_path_outside_the_bundle_is_refused_and_nothing_is_written_anywhere()
    {
        var (manifest, _, content) = await RealBundle();
        var escaping = manifest with { Files = [manifest.Files[0] with { Path = "../../escape.img" }] };
        var source = await StartHostileSource(Signed(escaping, await File.ReadAllBytesAsync(Agents.KeyFile)), http => Serve(http, content));

        var failure = await FetchFails(source);

        Assert.Equal($"checkpoint 1 of job {Job} from {source} refused: it names \"../../escape.img\", which escapes the bundle (..)", failure.Message);
        Assert.False(File.Exists(Path.Combine(Target.Paths.DataDirectory, "escape.img")));
        Assert.False(File.Exists(Path.Combine(Target.Paths.DataDirectory, "..", "escape.img")));
        Target.AssertHoldsNothingOf(Job);
    }

    [Fact]
    public async Task A_signed_manifest_of_another_checkpoint_is_refused()
    {
        var (manifest, _, content) = await RealBundle();
        var source = await StartHostileSource(Signed(manifest with { Sequence = 9 }, await File.ReadAllBytesAsync(Agents.KeyFile)), http => Serve(http, content));

        var failure = await FetchFails(source);

        Assert.Equal($"checkpoint 1 of job {Job} from {source} refused: the source sent the manifest of checkpoint 9 of job {Job}", failure.Message);
        Target.AssertHoldsNothingOf(Job);
    }

    [Fact]
    public async Task A_source_that_breaks_the_connection_and_then_ignores_the_range_is_refused()
    {
        var (_, manifestBytes, content) = await RealBundle();
        var requests = 0;
        var source = await StartHostileSource(manifestBytes, async http =>
        {
            // First: half the file, then the connection dies. Then: the whole file again, as if Range were unknown.
            http.Response.ContentLength = content.Length;
            if (Interlocked.Increment(ref requests) == 1)
            {
                await http.Response.Body.WriteAsync(content.AsMemory(0, content.Length / 2));
                await http.Response.Body.FlushAsync();
                http.Abort();
                return;
            }
            await Serve(http, content);
        });

        var failure = await FetchFails(source);

        Assert.StartsWith("the source did not resume images/pages-1.img at byte ", failure.Message);
        Assert.EndsWith("(answered 200 )", failure.Message);
        Assert.Equal(2, requests);
        Target.AssertHoldsNothingOf(Job);
    }

    [Fact]
    public async Task A_source_that_keeps_failing_is_given_up_on_after_the_bounded_retries()
    {
        var (_, manifestBytes, _) = await RealBundle();
        var requests = 0;
        var source = await StartHostileSource(manifestBytes, http =>
        {
            Interlocked.Increment(ref requests);
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return http.Response.WriteAsync("busy");
        });

        var failure = await FetchFails(source);

        Assert.Equal($"fetching images/pages-1.img of checkpoint 1 from {source} failed 6 time(s) in a row; last: the source answered 503 for images/pages-1.img: busy", failure.Message);
        Assert.Equal(6, requests);
        Target.AssertHoldsNothingOf(Job);
    }
}
