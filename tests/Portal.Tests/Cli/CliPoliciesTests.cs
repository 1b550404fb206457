using Caas.Contracts.Policies;
using Caas.Portal.Tests.Api;
using Caas.Web.Cli;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Cli;

/// <summary>`caas policies` and the submit flags that give a job its own policy, against the portal's API on a real Kestrel server.</summary>
[Trait("Category", "Integration")]
public sealed class CliPoliciesTests : IAsyncLifetime
{
    private const string Job = "job-00000000aa";
    private PortalApiHost host = null!;
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();
    private readonly DirectoryInfo config = Directory.CreateTempSubdirectory("caas-cli-config-");

    public async Task InitializeAsync()
    {
        host = await PortalApiHost.StartAsync();
        host.Policies.AddJob(Job);
        host.Platform.Jobs.Add(SampleJobs.Running(Job, "counter", 0.5, SampleJobs.Start));
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        config.Delete(recursive: true);
    }

    private Task<int> Cli(params string[] args) =>
        CliApp.RunAsync(["--url", host.Client.BaseAddress!.ToString(), .. args], output, error, environmentUrl: null, new FakeTimeProvider(SampleJobs.Start),
            environmentToken: host.AdminToken, tokenFile: new TokenFile(Path.Combine(config.FullName, "caas", "token")));

    private string PolicyFile(string json)
    {
        var path = Path.Combine(config.FullName, "policy.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public async Task Dry_run_prints_each_incident_and_the_decision()
    {
        host.Policies.Histories[Job] =
        [
            new(5, "JobStalled", SampleJobs.Start.AddMinutes(5), new PolicyDecision { Trigger = PolicyTrigger.Stall, Action = RecoveryAction.RestartInPlace, Reason = "stall: restart from the newest checkpoint, attempt 1 of 5 in 1 h", At = SampleJobs.Start }),
        ];

        Assert.Equal(ExitCodes.Ok, await Cli("policies", "dry-run", Job, "--file", PolicyFile("""{"onStall":"RestartFromCheckpoint","cooldownSeconds":30}""")));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("job-00000000aa: 42 events replayed, 1 incident(s), 1 recovery(ies); nothing was acted on.", lines[0]);
        Assert.Equal("2026-11-26 10:05:00  #5      JobStalled   RestartInPlace  stall: restart from the newest checkpoint, attempt 1 of 5 in 1 h", lines[1]);
        Assert.Equal(30, Assert.Single(host.Policies.DryRunCalls).Policy!.CooldownSeconds);
    }

    [Fact]
    public async Task Set_refuses_a_bad_policy_naming_the_field()
    {
        Assert.Equal(ExitCodes.Refused, await Cli("policies", "set", Job, "--file", PolicyFile("""{"maxAttempts":1000}""")));

        Assert.Equal("caas-cli: The policy is invalid: 'policy.maxAttempts' must be between 1 and 100.", error.ToString().Trim());
        Assert.Empty(host.Policies.SetCalls);
    }

    [Fact]
    public async Task Submit_flags_give_the_job_its_own_policy()
    {
        Assert.Equal(ExitCodes.Ok, await Cli("submit", "--on-failure", "Restart", "--checkpoint-every", "60", "--", "/usr/bin/sleep", "600"));

        var policy = Assert.Single(host.Platform.Submitted).Policy!;
        Assert.Equal((FailureResponse.Restart, CheckpointMode.Fixed, 60.0), (policy.OnFailure, policy.Checkpoints.Mode, policy.Checkpoints.IntervalSeconds));
    }

    [Fact]
    public async Task Show_prints_a_jobs_policy_and_its_source()
    {
        Assert.Equal(ExitCodes.Ok, await Cli("policies", "show", Job));

        Assert.StartsWith("job-00000000aa: policy from platform", output.ToString());
        Assert.Contains("\"onStall\": \"RestartFromCheckpoint\"", output.ToString());
    }
}
