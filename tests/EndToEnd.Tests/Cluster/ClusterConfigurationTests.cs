using System.Diagnostics;

namespace Caas.EndToEnd.Tests;

/// <summary>A host or agent started with unusable cluster settings refuses to start, says why, and shows no secret.</summary>
[Trait("Category", "EndToEnd")]
public sealed class ClusterConfigurationTests
{
    private const string Secret = "s3cret-Pa55";

    [Fact]
    public async Task A_cluster_host_without_database_and_with_a_guest_broker_url_exits_2_naming_both_settings()
    {
        var (exit, output) = await RunAsync(Dll("Web", "Web.Standalone", "caas-standalone.dll"), new()
        {
            ["Caas__Mode"] = "Cluster",
            ["Caas__Bus__RabbitMq__Url"] = "amqp://127.0.0.1:5672/caas",
        });

        Assert.Equal(2, exit);
        Assert.Contains("Caas:Cluster:Postgres is required in Cluster mode", output);
        Assert.Contains("Caas:Bus:RabbitMq:Url must name a user and password", output);
    }

    [Fact]
    public async Task A_malformed_database_setting_is_refused_without_echoing_its_password()
    {
        var (exit, output) = await RunAsync(Dll("Web", "Web.Standalone", "caas-standalone.dll"), new()
        {
            ["Caas__Mode"] = "Cluster",
            ["Caas__Cluster__Postgres"] = $"Host=127.0.0.1;Password={Secret};NoSuchKeyword=1",
            ["Caas__Bus__RabbitMq__Url"] = $"amqp://caas:{Secret}@127.0.0.1:5672/caas",
        });

        Assert.Equal(2, exit);
        Assert.Contains("Caas:Cluster:Postgres is not a valid Npgsql connection string", output);
        Assert.DoesNotContain(Secret, output);
    }

    [Fact]
    public async Task An_unknown_mode_is_refused()
    {
        var (exit, output) = await RunAsync(Dll("Web", "Web.Standalone", "caas-standalone.dll"), new() { ["Caas__Mode"] = "Cloud" });

        Assert.Equal((2, true), (exit, output.Contains("Caas:Mode must be Standalone or Cluster, not \"Cloud\".")));
    }

    [Fact]
    public async Task Roles_that_name_no_known_role_or_split_a_standalone_host_are_refused_and_the_former_switch_points_to_roles()
    {
        var (unknownExit, unknown) = await RunAsync(Dll("Web", "Web.Standalone", "caas-standalone.dll"), new() { ["Caas__Roles"] = "silo,portal" });
        var (splitExit, split) = await RunAsync(Dll("Web", "Web.Standalone", "caas-standalone.dll"), new() { ["Caas__Roles"] = "web" });
        var (formerExit, former) = await RunAsync(Dll("Web", "Web.Standalone", "caas-standalone.dll"), new() { ["Caas__Server__EmbeddedAgent"] = "false" });

        Assert.Equal((2, true), (unknownExit, unknown.Contains("Caas:Roles names silo, web and agent, separated by commas; \"portal\" is none of them.")));
        Assert.Equal((2, true), (splitExit, split.Contains("Caas:Roles \"web\" splits the platform, which only Cluster mode can (Caas:Mode=Cluster)")));
        Assert.Equal((2, true), (formerExit, former.Contains("Caas:Server:EmbeddedAgent is no longer read: name the host's roles in Caas:Roles instead")));
    }

    [Fact]
    public async Task A_metrics_port_that_is_no_port_or_is_the_portals_own_is_refused_by_host_and_agent()
    {
        var (hostExit, host) = await RunAsync(Dll("Web", "Web.Standalone", "caas-standalone.dll"), new() { ["Caas__Metrics__Port"] = "99999" });
        var (sameExit, same) = await RunAsync(Dll("Web", "Web.Standalone", "caas-standalone.dll"), new() { ["Caas__Metrics__Port"] = "5000", ["Caas__Url"] = "http://127.0.0.1:5000" });
        var (agentExit, agent) = await RunAsync(Dll("Capture", "Capture.Agent", "Capture.Agent.dll"), new()
        {
            ["Caas__Metrics__Port"] = "metrics", ["Caas__Bus__RabbitMq__Url"] = "amqp://u:p@127.0.0.1:5672/v",
        });

        Assert.Equal((2, true), (hostExit, host.Contains("Caas:Metrics:Port must be a TCP port from 1 to 65535 (metrics are served on 127.0.0.1 only), not \"99999\".")));
        Assert.Equal((2, true), (sameExit, same.Contains("Caas:Metrics:Port must differ from the port of Caas:Url (5000)")));
        Assert.Equal((2, true), (agentExit, agent.Contains("Caas:Metrics:Port must be a TCP port from 1 to 65535")));
    }

    [Fact]
    public async Task An_agent_with_bad_labels_a_placeholder_credential_and_no_broker_exits_2_naming_each_problem()
    {
        var (exit, output) = await RunAsync(Dll("Capture", "Capture.Agent", "Capture.Agent.dll"), new()
        {
            ["Caas__Agent__Pool"] = "on prem",
            ["Caas__Agent__Labels__gpu"] = "a 100",
            ["Caas__Agent__DataDirectory"] = "/tmp/cl-config-test-agent",
            // A placeholder where the enrolled credential belongs (docker-compose.yml's first step): refused, not echoed.
            ["Caas__Agent__Credential"] = Secret,
        });

        Assert.Equal(2, exit);
        Assert.Contains("Caas:Agent:Credential is not a credential from `caas nodes enroll local` (those start with caasagent_).", output);
        Assert.DoesNotContain(Secret, output);
        Assert.Contains("Caas:Agent:Pool must be letters, digits, '-', '_' or '.', not \"on prem\".", output);
        Assert.Contains("'Caas:Agent:Labels' label gpu has value \"a 100\"", output);
        Assert.Contains("Caas:Bus:RabbitMq:Url is required", output);
        Assert.False(Directory.Exists("/tmp/cl-config-test-agent"), "a refused agent creates nothing");
    }

    private static string Dll(string area, string project, string file)
    {
        var dll = Path.Combine(RepositoryLayout.Root, area, project, "bin", RepositoryLayout.Configuration, "net10.0", file);
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build the solution first (./caas test does).");
    }

    private static async Task<(int Exit, string Output)> RunAsync(string dll, Dictionary<string, string> environment)
    {
        using var directory = new TemporaryWorkingDirectory();
        var start = new ProcessStartInfo("dotnet", [dll, $"--Caas:DataDirectory={directory.Path}"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory.Path,
        };
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw new TimeoutException($"{dll} did not exit on its bad configuration"); }
        return (process.ExitCode, await output + await error);
    }

    private sealed class TemporaryWorkingDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("cl-config-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
