using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Caas.Portal.Tests.Api;

[Trait("Category", "Integration")]
public sealed class CheckpointsApiTests : IAsyncLifetime
{
    private const string Job = "job-000000000a";
    private const string OtherJob = "job-000000000b";
    private PortalApiHost host = null!;

    private HttpClient Client => host.Client;
    private FakeJobPlatform Platform => host.Platform;

    public async Task InitializeAsync()
    {
        host = await PortalApiHost.StartAsync();
        Platform.Jobs.Add(SampleJobs.Running(Job, "counter", 0.5, SampleJobs.Start));
        Platform.Jobs.Add(SampleJobs.Running(OtherJob, "other", 0.5, SampleJobs.Start));
        Platform.Catalog.Add(SampleJobs.CatalogEntry(Job, SampleJobs.Checkpoint(1, 0.1, SampleJobs.Start.AddMinutes(1)), CheckpointVerification.Verified));
        Platform.Catalog.Add(SampleJobs.CatalogEntry(Job, SampleJobs.Checkpoint(2, 0.2, SampleJobs.Start.AddMinutes(2)) with { ParentSequence = 1 }));
        Platform.Catalog.Add(SampleJobs.CatalogEntry(Job, SampleJobs.Checkpoint(3, 0.3, SampleJobs.Start.AddMinutes(3))));
        Platform.Catalog.Add(SampleJobs.CatalogEntry(OtherJob, SampleJobs.Checkpoint(1, 0.4, SampleJobs.Start.AddMinutes(4)) with { NodeId = "node-b" }, CheckpointVerification.Failed));
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task The_catalog_lists_checkpoints_across_jobs_newest_first_with_lineage_and_verification()
    {
        using var body = await Json(await Client.GetAsync("/api/v1/checkpoints?take=3"));

        Assert.Equal(4, body.RootElement.GetProperty("total").GetInt32());
        var items = body.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([(OtherJob, 1), (Job, 3), (Job, 2)], items.Select(i => (i.GetProperty("jobId").GetString(), i.GetProperty("sequence").GetInt32())));
        Assert.Equal("Failed", items[0].GetProperty("verification").GetString());
        Assert.Equal("the test copy showed no sign of life within 20 s", items[0].GetProperty("verificationProblem").GetString());
        Assert.Equal(1, items[2].GetProperty("checkpoint").GetProperty("parentSequence").GetInt32());
        Assert.Equal(5 * 1024 * 1024 + 512 * 1024, items[2].GetProperty("checkpoint").GetProperty("sizeBytes").GetInt64());
    }

    [Fact]
    public async Task The_catalog_filters_by_job_node_and_status()
    {
        using var byStatus = await Json(await Client.GetAsync($"/api/v1/checkpoints?job={Job}&status=verified"));
        using var byNode = await Json(await Client.GetAsync("/api/v1/checkpoints?node=node-b&includeRemoved=false"));
        using var ofJob = await Json(await Client.GetAsync($"/api/v1/jobs/{Job}/checkpoints?skip=1&take=1"));

        Assert.Equal([1], byStatus.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sequence").GetInt32()));
        Assert.Equal([OtherJob], byNode.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("jobId").GetString()));
        Assert.Equal(3, ofJob.RootElement.GetProperty("total").GetInt32());
        Assert.Equal([2], ofJob.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sequence").GetInt32()));
        Assert.Equal((new CheckpointCatalogFilter { JobId = Job, Verification = CheckpointVerification.Verified }, 0, 50), Platform.CatalogQueries[0]);
        Assert.Equal((new CheckpointCatalogFilter { NodeId = "node-b", IncludeRemoved = false }, 0, 50), Platform.CatalogQueries[1]);
    }

    [Theory]
    [InlineData("status=maybe", "'status' must be one of Unverified, Verifying, Verified, Failed; got 'maybe'.")]
    [InlineData("status=2", "'status' must be one of Unverified, Verifying, Verified, Failed; got '2'.")]
    [InlineData("job=../etc", "'job' must be a job id like job-0123456789; got '../etc'.")]
    [InlineData("take=0", "'take' must be between 1 and 500.")]
    [InlineData("includeRemoved=sometimes", "'includeRemoved' must be true or false; got 'sometimes'.")]
    public async Task Bad_catalog_queries_are_400_problems(string query, string detail)
    {
        Assert.Equal(detail, await AssertProblem(await Client.GetAsync($"/api/v1/checkpoints?{query}"), HttpStatusCode.BadRequest));
        Assert.Empty(Platform.CatalogQueries);
    }

    [Fact]
    public async Task Verify_now_is_accepted_and_handed_to_the_platform()
    {
        var response = await Client.PostAsync($"/api/v1/jobs/{Job}/checkpoints/3/verify", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/api/v1/jobs/{Job}/checkpoints", response.Headers.Location?.OriginalString);
        Assert.Equal([(Job, 3)], Platform.VerifyCalls);
    }

    [Fact]
    public async Task Delete_of_an_unneeded_checkpoint_is_accepted()
    {
        var response = await Client.DeleteAsync($"/api/v1/jobs/{Job}/checkpoints/3");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal([(Job, 3)], Platform.DeleteCalls);
    }

    [Fact]
    public async Task Delete_of_the_newest_verified_or_of_a_parent_is_a_409_with_the_reason()
    {
        var newestVerified = await AssertProblem(await Client.DeleteAsync($"/api/v1/jobs/{Job}/checkpoints/1"), HttpStatusCode.Conflict);
        Platform.Catalog[0] = Platform.Catalog[0] with { Verification = CheckpointVerification.Unverified };
        var parent = await AssertProblem(await Client.DeleteAsync($"/api/v1/jobs/{Job}/checkpoints/1"), HttpStatusCode.Conflict);

        Assert.Equal($"checkpoint 1 is the newest verified checkpoint of job {Job}; the last verified one is never deleted (verify a newer one first)", newestVerified);
        Assert.Equal($"checkpoint 1 of job {Job} is the parent of checkpoint 2, which cannot be restored without it", parent);
        Assert.Empty(Platform.DeleteCalls);
    }

    [Theory]
    [InlineData("POST", $"/api/v1/jobs/{Job}/checkpoints/9/verify", HttpStatusCode.NotFound, $"Job {Job} has no checkpoint 9.")]
    [InlineData("DELETE", $"/api/v1/jobs/{Job}/checkpoints/9", HttpStatusCode.NotFound, $"Job {Job} has no checkpoint 9.")]
    [InlineData("DELETE", "/api/v1/jobs/job-00000000ff/checkpoints/1", HttpStatusCode.NotFound, "No job has id 'job-00000000ff'.")]
    [InlineData("GET", "/api/v1/jobs/job-00000000ff/checkpoints", HttpStatusCode.NotFound, "No job has id 'job-00000000ff'.")]
    [InlineData("POST", $"/api/v1/jobs/{Job}/checkpoints/0/verify", HttpStatusCode.BadRequest, "The checkpoint sequence must be a whole number from 1 up; got '0'.")]
    [InlineData("DELETE", $"/api/v1/jobs/{Job}/checkpoints/-1", HttpStatusCode.BadRequest, "The checkpoint sequence must be a whole number from 1 up; got '-1'.")]
    [InlineData("DELETE", $"/api/v1/jobs/{Job}/checkpoints/latest", HttpStatusCode.BadRequest, "The checkpoint sequence must be a whole number from 1 up; got 'latest'.")]
    public async Task Unknown_and_malformed_checkpoints_are_refused_and_change_nothing(string method, string path, HttpStatusCode status, string detail)
    {
        var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(detail, await AssertProblem(response, status));
        Assert.Empty(Platform.VerifyCalls);
        Assert.Empty(Platform.DeleteCalls);
    }

    private static async Task<JsonDocument> Json(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return problem.GetProperty("detail").GetString()!;
    }
}
