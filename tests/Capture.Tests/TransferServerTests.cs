using System.Net;
using System.Net.Http.Headers;
using Caas.Capture.Agent.Transfer;
using Caas.Capture.Engine.Bundles;

namespace Caas.Capture.Tests;

/// <summary>The transfer server of a real agent on 127.0.0.2 over real HTTP: what a token holder may read, and what nobody may.</summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TransferServerTests : TwoAgentTest
{
    private const string Job = "job-00000000b1";
    private const string OtherJob = "job-00000000b2";
    private readonly HttpClient _http = new();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Source.SealBundleAsync(Job, 1, parent: null, 64 << 10, ("images/pages-1.img", 300_000), ("images/core-1.img", 5_000));
        await Source.SealBundleAsync(Job, 2, parent: 1, 64 << 10, ("images/pages-1.img", 70_000));
        await Source.SealBundleAsync(Job, 3, parent: null, 64 << 10, ("images/pages-1.img", 1_000));
        await Source.SealBundleAsync(OtherJob, 1, parent: null, 64 << 10, ("images/pages-1.img", 1_000));
    }

    public override async Task DisposeAsync()
    {
        _http.Dispose();
        await base.DisposeAsync();
    }

    private string Token(string jobId = Job, int sequence = 1) => Source.Tokens.MintImageRead(jobId, sequence, TransferAgents.TargetNode, TimeSpan.FromMinutes(5)).Token;

    private async Task<HttpResponseMessage> Get(string path, string? token, RangeHeaderValue? range = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Source.Url, path));
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Range = range;
        return await _http.SendAsync(request);
    }

    [Fact]
    public async Task A_token_holder_reads_the_signed_manifest_and_any_byte_range_of_a_listed_file()
    {
        var bundle = Source.Paths.Checkpoint(Job, 1);

        using var manifest = await Get(BundleRequests.ManifestPath(Job, 1), Token());
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal(await File.ReadAllBytesAsync(bundle.ManifestPath), await manifest.Content.ReadAsByteArrayAsync());

        using var part = await Get(BundleRequests.FilePath(Job, 1, "images/pages-1.img"), Token(), new RangeHeaderValue(100_000, 100_099));
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal("bytes 100000-100099/300000", part.Content.Headers.ContentRange?.ToString());
        var expected = (await File.ReadAllBytesAsync(Path.Combine(bundle.Directory, "images/pages-1.img")))[100_000..100_100];
        Assert.Equal(expected, await part.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Tokens_that_are_missing_expired_for_another_purpose_bundle_or_job_or_tampered_are_refused_with_the_reason()
    {
        var expired = Agents.ExpiredToken(Job, 1);
        var writeToken = Source.Tokens.Mint("image-write", Job, 1, TransferAgents.TargetNode, TimeSpan.FromMinutes(5)).Token;
        var tampered = TransferAgents.Tampered(Token());

        var cases = new (string What, string Path, string? Token, HttpStatusCode Status, string Reason)[]
        {
            ("missing", BundleRequests.ManifestPath(Job, 1), null, HttpStatusCode.Unauthorized, "a transfer token is required"),
            ("expired", BundleRequests.ManifestPath(Job, 1), expired, HttpStatusCode.Unauthorized, "the transfer token expired at"),
            ("tampered", BundleRequests.ManifestPath(Job, 1), tampered, HttpStatusCode.Unauthorized, "the transfer token's signature does not match"),
            ("another purpose", BundleRequests.ManifestPath(Job, 1), writeToken, HttpStatusCode.Forbidden, "the transfer token is for \"image-write\", not \"image-read\""),
            ("another job", BundleRequests.ManifestPath(OtherJob, 1), Token(), HttpStatusCode.Forbidden, $"the transfer token is for job {Job}, not {OtherJob}"),
            ("another bundle", BundleRequests.FilePath(Job, 3, "images/pages-1.img"), Token(), HttpStatusCode.Forbidden, $"the transfer token is for checkpoint 1 of job {Job}, and checkpoint 3 is not one it was taken after"),
            ("a later bundle", BundleRequests.ManifestPath(Job, 2), Token(), HttpStatusCode.Forbidden, "checkpoint 2 is not one it was taken after"),
        };
        foreach (var (what, path, token, status, reason) in cases)
        {
            using var response = await Get(path, token);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(status == response.StatusCode, $"{what}: {(int)response.StatusCode} {body}");
            using var problem = System.Text.Json.JsonDocument.Parse(body);
            Assert.Contains(reason, problem.RootElement.GetProperty("detail").GetString());
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            if (status == HttpStatusCode.Unauthorized)
                Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        }
    }

    [Fact]
    public async Task A_token_for_a_checkpoint_also_reads_the_checkpoints_it_was_taken_after()
    {
        using var parent = await Get(BundleRequests.FilePath(Job, 1, "images/core-1.img"), Token(sequence: 2));

        Assert.Equal(HttpStatusCode.OK, parent.StatusCode);
        Assert.Equal(5_000, (await parent.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Names_outside_the_manifest_or_the_bundle_are_refused_and_nothing_is_served()
    {
        var bundle = Source.Paths.Checkpoint(Job, 1);
        await File.WriteAllTextAsync(Path.Combine(bundle.ImagesDirectory, "unlisted.img"), "not in the manifest");
        // A listed name that became a link after sealing must not lead out of the bundle.
        File.Delete(Path.Combine(bundle.ImagesDirectory, "core-1.img"));
        File.CreateSymbolicLink(Path.Combine(bundle.ImagesDirectory, "core-1.img"), Agents.KeyFile);
        var files = $"/v1/checkpoints/{Job}/1/files/";

        var cases = new (string RawPath, int Status)[]
        {
            (files + "images/unlisted.img", 404),
            (files + "images/core-1.img", 404),
            (files + "manifest.json", 400),
            (files + "images/../manifest.json", 400),
            (files + "images/%2e%2e/%2e%2e/%2e%2e/image.key", 404),
            (files + "../../../../image.key", 404),
            (files + "images%2F..%2F..%2F..%2F..%2Fimage.key", 404),
            (files + "/etc/passwd", 400),
            (files + "images//pages-1.img", 400),
            ($"/v1/checkpoints/{Job}/..%2F1/manifest", 400),
            ($"/v1/checkpoints/{Job}/1/manifest/../../../../image.key", 404),
        };
        foreach (var (rawPath, status) in cases)
        {
            var (actual, response) = await RawHttp.GetAsync(Source.Url, rawPath, Token());
            Assert.True(status == actual, $"{rawPath}: {response}");
            Assert.DoesNotContain("not in the manifest", response);
        }
    }
}
