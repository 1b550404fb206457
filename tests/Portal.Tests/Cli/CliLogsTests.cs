using System.Text.Json;
using Caas.Portal.Tests.Api;
using Caas.Web.Cli;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Cli;

/// <summary>`caas logs`: a job's output on standard output as the job wrote it, --tail, --stderr, --follow to the job's end, --json.</summary>
[Trait("Category", "Integration")]
public sealed class CliLogsTests : IAsyncLifetime
{
    private const string JobId = "job-000000000a";
    private PortalApiHost host = null!;
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();

    public async Task InitializeAsync()
    {
        host = await PortalApiHost.StartAsync();
        host.Platform.Jobs.Add(SampleJobs.Running(JobId, "sim", 0.42, SampleJobs.Start));
        host.Output.Write(JobId, string.Concat(Enumerable.Range(1, 150).Select(i => $"step {i}\n")));
        host.Output.Write(JobId, "warning: slow disk\n", JobOutputStream.Stderr);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private Task<int> Cli(params string[] args) =>
        CliApp.RunAsync(["--url", host.Client.BaseAddress!.ToString(), .. args], output, error, environmentUrl: null,
            new FakeTimeProvider(SampleJobs.Start.AddMinutes(1)), environmentToken: host.AdminToken, pollInterval: TimeSpan.FromMilliseconds(10));

    private string[] Lines => output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Logs_prints_the_last_100_lines_untouched_and_tail_chooses_how_many()
    {
        Assert.Equal(ExitCodes.Ok, await Cli("logs", JobId));
        Assert.Equal(Enumerable.Range(51, 100).Select(i => $"step {i}"), Lines);

        output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Ok, await Cli("logs", JobId, "-n", "2"));
        Assert.Equal("step 149\nstep 150\n", output.ToString());
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public async Task Stderr_prints_the_jobs_standard_error()
    {
        Assert.Equal(ExitCodes.Ok, await Cli("logs", JobId, "--stderr"));

        Assert.Equal("warning: slow disk\n", output.ToString());
    }

    [Fact]
    public async Task Follow_prints_what_the_job_writes_meanwhile_and_ends_when_it_has_stopped()
    {
        host.Output.AfterRead = reads =>
        {
            // The job writes twice while the CLI follows it, then exits.
            if (reads == 2)
                host.Output.Write(JobId, "step 151\n");
            if (reads == 4)
            {
                host.Output.Write(JobId, "done\n");
                host.Output.Stopped.Add(JobId);
            }
        };

        Assert.Equal(ExitCodes.Ok, await Cli("logs", JobId, "--tail", "1", "--follow"));

        Assert.Equal(["step 150", "step 151", "done"], Lines);
        Assert.All(host.Output.Reads.Skip(1), r => Assert.NotNull(r.Query.From));
    }

    [Fact]
    public async Task Json_prints_the_APIs_answer()
    {
        Assert.Equal(ExitCodes.Ok, await Cli("logs", JobId, "--tail", "1", "--json"));

        using var answer = JsonDocument.Parse(output.ToString());
        Assert.Equal("step 150\n", answer.RootElement.GetProperty("text").GetString());
        Assert.Equal("node-a", answer.RootElement.GetProperty("nodeId").GetString());
    }

    [Fact]
    public async Task A_job_without_output_yet_says_why_on_stderr_and_exits_0()
    {
        host.Platform.Jobs.Add(SampleJobs.Running("job-000000000b", "queued", 0, SampleJobs.Start));

        Assert.Equal(ExitCodes.Ok, await Cli("logs", "job-000000000b"));

        Assert.Equal("", output.ToString());
        Assert.Equal("caas-cli: The job has not run on a node yet, so it has no output.", error.ToString().Trim());
    }

    [Theory]
    [InlineData("0", "caas-cli: --tail must be between 1 and 10000; got 0.")]
    [InlineData("10001", "caas-cli: --tail must be between 1 and 10000; got 10001.")]
    public async Task A_bad_tail_exits_1_and_asks_nothing(string tail, string expected)
    {
        Assert.Equal(ExitCodes.Refused, await Cli("logs", JobId, "--tail", tail));

        Assert.Equal(expected, error.ToString().Trim());
        Assert.Empty(host.Output.Reads);
    }

    [Fact]
    public async Task An_unknown_job_exits_1_with_the_platforms_reason()
    {
        Assert.Equal(ExitCodes.Refused, await Cli("logs", "job-00000000ff"));

        Assert.Equal("caas-cli: No job has id 'job-00000000ff'.", error.ToString().Trim());
    }
}
