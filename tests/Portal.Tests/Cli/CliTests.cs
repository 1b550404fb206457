using System.Text.Json;
using Caas.Portal.Tests.Api;
using Caas.Web.Cli;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Cli;

/// <summary>caas-cli against the portal's API on a real Kestrel server.</summary>
[Trait("Category", "Integration")]
public sealed class CliTests : IAsyncLifetime
{
    private PortalApiHost host = null!;
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();

    private FakeJobPlatform Platform => host.Platform;
    private string Url => host.Client.BaseAddress!.ToString();

    public async Task InitializeAsync() => host = await PortalApiHost.StartAsync();

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        config.Delete(recursive: true);
    }

    private readonly DirectoryInfo config = Directory.CreateTempSubdirectory("caas-cli-config-");

    private TokenFile Tokens => new(Path.Combine(config.FullName, "caas", "token"));

    private Task<int> Cli(params string[] args) =>
        CliApp.RunAsync(["--url", Url, .. args], output, error, environmentUrl: null, new FakeTimeProvider(SampleJobs.Start.AddMinutes(1)),
            environmentToken: host.AdminToken, tokenFile: Tokens);

    [Fact]
    public async Task Submit_sends_the_command_after_double_dash_with_its_own_options()
    {
        var exit = await Cli("submit", "--name", "nap", "--stall-threshold", "45", "--env", "A=1", "--", "/usr/bin/sleep", "--verbose", "600");

        Assert.Equal(ExitCodes.Ok, exit);
        var spec = Assert.Single(Platform.Submitted);
        Assert.Equal("/usr/bin/sleep", spec.Command);
        Assert.Equal(["--verbose", "600"], spec.Args);
        Assert.Equal("nap", spec.Name);
        Assert.Equal(TimeSpan.FromSeconds(45), spec.StallThreshold);
        Assert.Equal("1", spec.Env["A"]);
        Assert.Equal($"Submitted {Platform.Jobs.Single().JobId} (nap): Queued.", output.ToString().Trim());
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public async Task Submit_with_ranks_asks_for_a_distributed_job_and_a_bad_count_is_refused_with_the_rule()
    {
        Assert.Equal(ExitCodes.Ok, await Cli("submit", "--ranks", "3", "--", "/opt/ring", "--rounds", "40"));
        Assert.Equal(ExitCodes.Refused, await Cli("submit", "--ranks", "0", "--", "/opt/ring"));

        var spec = Assert.Single(Platform.Submitted);
        Assert.Equal((3, "/opt/ring"), (spec.Ranks, spec.Command));
        Assert.Equal($"Submitted {Platform.Jobs.Single().JobId} (ring, 3 ranks): Queued.", output.ToString().Trim());
        Assert.Equal("caas-cli: 'ranks' must be between 1 and 256 (one node per rank).", error.ToString().Trim());
    }

    [Fact]
    public async Task A_malformed_env_pair_exits_1_and_sends_nothing()
    {
        var exit = await Cli("submit", "--env", "NOEQUALS", "--", "/usr/bin/true");

        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Equal("caas-cli: --env wants KEY=VALUE; got 'NOEQUALS'.", error.ToString().Trim());
        Assert.Empty(Platform.Submitted);
    }

    [Fact]
    public async Task A_refused_submit_exits_1_with_the_problem_detail()
    {
        var exit = await Cli("submit", "--stall-threshold", "1", "--", "/usr/bin/true");

        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Equal("caas-cli: 'stallThreshold' must be at least 2 seconds.", error.ToString().Trim());
        Assert.Empty(Platform.Submitted);
    }

    [Fact]
    public async Task List_prints_a_table_or_the_json()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "simulation", 0.25, SampleJobs.Start));

        Assert.Equal(ExitCodes.Ok, await Cli("list"));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("ID              NAME        STATUS   PROGRESS  NODE    HEARTBEAT  CHECKPOINTS", lines[0]);
        Assert.Equal("job-000000000a  simulation  Running  25%       node-a  3 s ago    0", lines[1]);
        Assert.Equal("1-1 of 1", lines[2]);

        output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Ok, await Cli("list", "--json", "--status", "Running"));
        using var json = JsonDocument.Parse(output.ToString());
        Assert.Equal("job-000000000a", json.RootElement.GetProperty("items")[0].GetProperty("jobId").GetString());
        Assert.Equal(JobStatus.Running, Platform.Searches[^1].Status);
    }

    [Fact]
    public async Task Show_of_an_unknown_job_exits_1()
    {
        var exit = await Cli("show", "job-00000000ff");

        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Equal("caas-cli: No job has id 'job-00000000ff'.", error.ToString().Trim());
    }

    [Fact]
    public async Task Show_prints_the_job_and_its_checkpoints()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "simulation", 0.25, SampleJobs.Start) with
        {
            Checkpoints = [SampleJobs.Checkpoint(1, 0.2, SampleJobs.Start.AddSeconds(30))],
        });

        Assert.Equal(ExitCodes.Ok, await Cli("show", "job-000000000a"));

        var text = output.ToString();
        Assert.StartsWith("simulation (job-000000000a)\n  status      Running\n  progress    25%  step 25 of 100\n", text.ReplaceLineEndings("\n"));
        Assert.Contains("1    2026-11-26 10:00:30  node-a  20%       5.5 MiB  0.41 s    0.12 s", text);
    }

    [Fact]
    public async Task Checkpoint_kill_and_restore_reach_the_platform()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "simulation", 0.25, SampleJobs.Start) with
        {
            Checkpoints = [SampleJobs.Checkpoint(1, 0.2, SampleJobs.Start), SampleJobs.Checkpoint(2, 0.22, SampleJobs.Start)],
        });

        Assert.Equal(ExitCodes.Ok, await Cli("checkpoint", "job-000000000a", "--stop"));
        Assert.Equal(ExitCodes.Ok, await Cli("restore", "job-000000000a", "--sequence", "1"));
        Assert.Equal(ExitCodes.Ok, await Cli("kill", "job-000000000a"));

        Assert.Equal([("job-000000000a", false)], Platform.CheckpointCalls);
        Assert.Equal([("job-000000000a", (int?)1)], Platform.RestoreCalls);
        Assert.Equal(["job-000000000a"], Platform.KillCalls);
        Assert.Equal(
            $"Checkpoint 3 of job-000000000a requested.\nRestore of job-000000000a from checkpoint 1 started (incident {FakeJobPlatform.RestoreIncident}).\nKill of job-000000000a requested.\n",
            output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_conflict_exits_1_with_the_reason()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "simulation", 0.25, SampleJobs.Start));

        var exit = await Cli("restore", "job-000000000a");

        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Equal("caas-cli: Job job-000000000a has no checkpoint to restore from.", error.ToString().Trim());
    }

    [Fact]
    public async Task Events_are_printed_newest_first()
    {
        Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "simulation", 0.25, SampleJobs.Start));
        Platform.Timelines["job-000000000a"] =
        [
            SampleJobs.Event(0, "JobSubmitted", "submitted", SampleJobs.Start),
            SampleJobs.Event(1, "JobStarted", "started as pid 4242", SampleJobs.Start.AddSeconds(1)),
        ];

        Assert.Equal(ExitCodes.Ok, await Cli("events", "job-000000000a"));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["1  2026-11-26 10:00:01  JobStarted            started as pid 4242", "0  2026-11-26 10:00:00  JobSubmitted          submitted", "1-2 of 2 events, newest first"], lines);
    }

    [Fact]
    public async Task An_unreachable_platform_exits_2()
    {
        var exit = await CliApp.RunAsync(["list"], output, error, environmentUrl: "http://127.0.0.1:9", tokenFile: Tokens);

        Assert.Equal(ExitCodes.Unreachable, exit);
        Assert.StartsWith("caas-cli: Cannot reach the platform at http://127.0.0.1:9/", error.ToString());
    }

    [Fact]
    public async Task Nodes_drain_drains_the_node_and_nodes_shows_it()
    {
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-a", Pool = "onprem", JobSlots = 4, Engine = "criu 4.2.1", LastHeartbeatAt = SampleJobs.Start });

        var exit = await CliApp.RunAsync(["nodes", "drain", "node-a"], output, error, environmentUrl: Url, environmentToken: host.AdminToken, tokenFile: Tokens);

        Assert.Equal((ExitCodes.Ok, "Node node-a drained: it takes no new jobs; the jobs it runs keep running."), (exit, output.ToString().Trim()));
        Assert.True(Platform.Nodes.Single().Drained);
        output.GetStringBuilder().Clear();
        await CliApp.RunAsync(["nodes"], output, error, environmentUrl: Url, environmentToken: host.AdminToken, tokenFile: Tokens);
        Assert.EndsWith("live, drained", output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].Trim());
    }

    [Fact]
    public async Task Draining_an_unknown_node_says_so_and_exits_non_zero()
    {
        var exit = await CliApp.RunAsync(["nodes", "drain", "nobody"], output, error, environmentUrl: Url, environmentToken: host.AdminToken, tokenFile: Tokens);

        Assert.NotEqual(ExitCodes.Ok, exit);
        Assert.Contains("No node agent 'nobody' has registered.", error.ToString());
    }

    [Fact]
    public async Task The_url_comes_from_CAAS_URL_when_not_given()
    {
        var exit = await CliApp.RunAsync(["nodes"], output, error, environmentUrl: Url, environmentToken: host.AdminToken, tokenFile: Tokens);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal("No node agents have reported.", output.ToString().Trim());
    }

    [Fact]
    public async Task List_project_asks_for_that_projects_jobs()
    {
        Assert.Equal(ExitCodes.Ok, await Cli("list", "--project", "red team"));

        Assert.Equal(["red team"], Platform.Searches[^1].Projects);
    }
}
