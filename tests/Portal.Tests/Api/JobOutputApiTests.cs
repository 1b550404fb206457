using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Caas.Web.Portal.Security;

namespace Caas.Portal.Tests.Api;

/// <summary>GET /api/v1/jobs/{id}/logs: the last lines or a window from an offset, refusals of bad values, and only for the job's project.</summary>
[Trait("Category", "Integration")]
public sealed class JobOutputApiTests : IAsyncLifetime
{
    private const string Job = "job-000000000a";
    private PortalApiHost host = null!;

    public async Task InitializeAsync()
    {
        host = await PortalApiHost.StartAsync();
        host.Platform.Jobs.Add(SampleJobs.Running(Job, "counter", 0.5, SampleJobs.Start));
        host.Output.Write(Job, string.Concat(Enumerable.Range(1, 300).Select(i => $"line {i}\n")));
        host.Output.Write(Job, "warning: slow disk\n", JobOutputStream.Stderr);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task By_default_the_last_100_lines_of_stdout_with_the_node_and_where_they_end()
    {
        var output = await host.Client.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{Job}/logs");

        var lines = output.GetProperty("text").GetString()!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(100, lines.Length);
        Assert.Equal(("line 201", "line 300"), (lines[0], lines[^1]));
        Assert.Equal(("node-a", "Stdout", true), (output.GetProperty("nodeId").GetString(), output.GetProperty("stream").GetString(), output.GetProperty("running").GetBoolean()));
        Assert.Equal(output.GetProperty("length").GetInt64(), output.GetProperty("end").GetInt64());
        Assert.Equal(100, host.Output.Reads.Single().Query.TailLines);
    }

    [Fact]
    public async Task Stderr_tail_and_from_choose_what_is_read()
    {
        var stderr = await host.Client.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{Job}/logs?stream=stderr&tail=5");
        var window = await host.Client.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{Job}/logs?from=7&maxBytes=14");

        Assert.Equal("warning: slow disk\n", stderr.GetProperty("text").GetString());
        Assert.Equal("line 2\nline 3\n", window.GetProperty("text").GetString());
        Assert.Equal((7, 21), (window.GetProperty("start").GetInt64(), window.GetProperty("end").GetInt64()));
        Assert.Equal([(JobOutputStream.Stderr, (long?)null, 5, JobOutputQuery.DefaultMaxBytes), (JobOutputStream.Stdout, 7, JobOutputQuery.DefaultTailLines, 14)],
            host.Output.Reads.Select(r => (r.Query.Stream, r.Query.From, r.Query.TailLines, r.Query.MaxBytes)));
    }

    [Theory]
    [InlineData("stream=both", "'stream' must be one of Stdout, Stderr; got 'both'.")]
    [InlineData("stream=1", "'stream' must be one of Stdout, Stderr; got '1'.")]
    [InlineData("tail=0", "'tail' must be between 1 and 10000 lines; got 0.")]
    [InlineData("tail=10001", "'tail' must be between 1 and 10000 lines; got 10001.")]
    [InlineData("tail=many", "'tail' must be a whole number; got 'many'.")]
    [InlineData("from=-1", "'from' must be a byte offset of 0 or more; got -1.")]
    [InlineData("from=x", "'from' must be a whole number; got 'x'.")]
    [InlineData("maxBytes=0", "'maxBytes' must be between 1 and 1048576; got 0.")]
    [InlineData("maxBytes=1048577", "'maxBytes' must be between 1 and 1048576; got 1048577.")]
    public async Task A_bad_value_is_a_400_naming_it_and_reads_nothing(string query, string expected)
    {
        var response = await host.Client.GetAsync($"/api/v1/jobs/{Job}/logs?{query}");

        Assert.Equal(expected, await Problem(response, HttpStatusCode.BadRequest));
        Assert.Empty(host.Output.Reads);
    }

    [Fact]
    public async Task An_unknown_job_or_one_of_another_project_is_404_and_reads_nothing()
    {
        await host.Store.CreateProjectAsync("red");
        await host.Store.CreateUserAsync("rita", "rita password for tests", CaasRoles.Viewer, ["red"]);
        var rita = host.ClientWith(await host.CreateTokenAsync("rita"));

        Assert.Equal($"No job has id '{Job}'.", await Problem(await rita.GetAsync($"/api/v1/jobs/{Job}/logs"), HttpStatusCode.NotFound));
        Assert.Equal("No job has id 'job-00000000ff'.", await Problem(await host.Client.GetAsync("/api/v1/jobs/job-00000000ff/logs"), HttpStatusCode.NotFound));
        Assert.Empty(host.Output.Reads);
    }

    [Fact]
    public async Task A_node_that_does_not_answer_is_a_409_that_says_so()
    {
        host.Output.Failure = new OperationRejectedException(RejectionKind.Conflict, "Node node-a, which holds the output of job-000000000a, did not answer within 5 s.");

        var detail = await Problem(await host.Client.GetAsync($"/api/v1/jobs/{Job}/logs"), HttpStatusCode.Conflict);

        Assert.StartsWith("Node node-a, which holds the output", detail, StringComparison.Ordinal);
    }

    private static async Task<string> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
    }
}
