using System.Net;
using System.Net.Http.Json;
using Caas.Contracts.Jobs;

namespace Caas.EndToEnd.Tests;

[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class BadInputTests
{
    [Fact]
    public async Task Bad_requests_get_a_clear_4xx_and_change_nothing()
    {
        await using var host = await StandaloneHost.StartAsync();
        var api = host.Api;

        var empty = await api.Http.PostAsJsonAsync("/api/v1/jobs", new { command = "", args = Array.Empty<string>() }, CaasApi.Json);
        await AssertProblemAsync(empty, HttpStatusCode.BadRequest, "command");

        var missing = await api.Http.PostAsJsonAsync("/api/v1/jobs", new { command = "/nonexistent/caas-no-such-program", args = Array.Empty<string>() }, CaasApi.Json);
        await AssertProblemAsync(missing, HttpStatusCode.BadRequest, "/nonexistent/caas-no-such-program");

        Assert.Equal(0, (await api.ListJobsAsync()).Total);

        var job = await api.SubmitAsync(CounterJob.Spec("e2e bad input"));
        await api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running, TimeSpan.FromSeconds(60), "running");
        var before = (await api.GetEventsAsync(job.JobId)).Count(e => e.Type != "HeartbeatRecorded" && e.Type != "ProgressReported");

        var noCheckpoint = await api.PostRestoreAsync(job.JobId, 99);
        Assert.True(noCheckpoint.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict, $"restore of a nonexistent checkpoint answered {noCheckpoint.StatusCode}");
        await AssertProblemAsync(noCheckpoint, noCheckpoint.StatusCode, "checkpoint");

        var unknownJob = await api.PostRestoreAsync("job-0000000000", 1);
        await AssertProblemAsync(unknownJob, HttpStatusCode.NotFound, "job-0000000000");

        var after = (await api.GetEventsAsync(job.JobId)).Count(e => e.Type != "HeartbeatRecorded" && e.Type != "ProgressReported");
        Assert.Equal(before, after);
        Assert.Equal(1, (await api.ListJobsAsync()).Total);
        await api.KillAsync(job.JobId);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string mentioned)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(mentioned, body);
    }
}
