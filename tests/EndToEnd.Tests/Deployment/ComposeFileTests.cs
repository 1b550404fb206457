using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Caas.EndToEnd.Tests.Deployment;

/// <summary>
/// docker-compose.yml and the Dockerfiles under deploy/ describe the deployment `./caas up --cluster` starts; no
/// container engine runs here, so `docker-compose config` (Debian's docker-compose) is what checks the file.
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class ComposeFileTests
{
    private static readonly Dictionary<string, string> AgentCredentials = new()
    {
        ["agent-onprem-1"] = "caasagent_onprem1secret", ["agent-onprem-2"] = "caasagent_onprem2secret", ["agent-cloud-a-1"] = "caasagent_clouda1secret",
    };

    /// <summary>The variable each agent's credential comes from: CAAS_AGENT_&lt;NODE&gt;_CREDENTIAL.</summary>
    private static string CredentialVariable(string agentService) =>
        $"CAAS_AGENT_{agentService["agent-".Length..].ToUpperInvariant().Replace('-', '_')}_CREDENTIAL";

    private static readonly Dictionary<string, string> Passwords = new Dictionary<string, string> { ["CAAS_DB_PASSWORD"] = "db-Secret-1", ["CAAS_BUS_PASSWORD"] = "bus-Secret-2" }
        .Concat(AgentCredentials.Select(a => KeyValuePair.Create(CredentialVariable(a.Key), a.Value))).ToDictionary();

    [Fact]
    public void The_compose_file_is_valid_and_describes_two_silos_one_web_host_and_three_agents_in_two_pools_beside_postgres_and_rabbitmq()
    {
        var (exit, services, error) = Compose(Passwords, "config", "--services");

        Assert.True(exit == 0, error);
        Assert.Equal(["agent-cloud-a-1", "agent-onprem-1", "agent-onprem-2", "postgres", "rabbitmq", "silo-1", "silo-2", "web"],
            services.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        var config = ServiceBlocks(Config());
        Assert.Equal(["cloud-a", "onprem", "onprem"], config.Where(s => s.Key.StartsWith("agent-")).OrderBy(s => s.Key).Select(s => Setting(s.Value, "Caas__Agent__Pool")));
        Assert.Equal(["172.28.0.11", "172.28.0.12"], new[] { "silo-1", "silo-2" }.Select(s => Setting(config[s], "Caas__Orleans__AdvertisedAddress")));
        Assert.Contains("127.0.0.1:5000:8080", config["web"]);
    }

    [Fact]
    public void Each_part_gets_only_the_secrets_it_uses_and_agents_get_the_capabilities_criu_needs()
    {
        var config = ServiceBlocks(Config());

        foreach (var silo in new[] { "silo-1", "silo-2" })
            Assert.Equal((true, true), (config[silo].Contains("Password=db-Secret-1"), config[silo].Contains("caas:bus-Secret-2@rabbitmq")));
        Assert.Equal((true, false), (config["web"].Contains("Password=db-Secret-1"), config["web"].Contains("bus-Secret-2")));
        foreach (var agent in config.Keys.Where(k => k.StartsWith("agent-")))
        {
            Assert.DoesNotContain("db-Secret-1", config[agent]);
            foreach (var capability in new[] { "SYS_ADMIN", "SYS_PTRACE", "NET_ADMIN", "CHECKPOINT_RESTORE" })
                Assert.Contains($"- {capability}\n", config[agent]);
            Assert.Contains("seccomp=unconfined", config[agent]);
        }
    }

    [Fact]
    public void Each_agent_gets_its_own_credential_from_the_environment_and_no_other_part_gets_one()
    {
        var config = ServiceBlocks(Config());

        foreach (var (service, block) in config)
        {
            var expected = AgentCredentials.GetValueOrDefault(service);
            Assert.Equal(expected ?? "", Setting(block, "Caas__Agent__Credential"));
            Assert.All(AgentCredentials.Values.Where(c => c != expected), other => Assert.DoesNotContain(other, block));
        }
        var file = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "docker-compose.yml"));
        Assert.DoesNotContain("caasagent_", file);
    }

    [Fact]
    public void Without_an_agents_credential_the_file_is_refused_saying_to_enroll_the_node_first()
    {
        var (exit, _, error) = Compose(Passwords.Where(p => p.Key != "CAAS_AGENT_CLOUD_A_1_CREDENTIAL").ToDictionary(), "config");

        Assert.NotEqual(0, exit);
        Assert.Contains("enroll cloud-a-1 first (caas nodes enroll cloud-a-1) and set CAAS_AGENT_CLOUD_A_1_CREDENTIAL", error);
    }

    [Fact]
    public void Without_the_passwords_the_file_is_refused_naming_the_missing_variable()
    {
        var (exit, _, error) = Compose(Passwords.Where(p => p.Key != "CAAS_DB_PASSWORD").ToDictionary(), "config");

        Assert.NotEqual(0, exit);
        Assert.Contains("set CAAS_DB_PASSWORD", error);
    }

    [Theory]
    [InlineData("silo", "Web/Web.Standalone/Web.Standalone.csproj", "Caas__Roles=silo")]
    [InlineData("web", "Web/Web.Standalone/Web.Standalone.csproj", "Caas__Roles=web")]
    [InlineData("agent", "Capture/Capture.Agent/Capture.Agent.csproj", "CAAS_CRIU=/opt/caas/criu/bin/criu")]
    public void Each_dockerfile_publishes_a_project_of_this_repository_and_sets_its_role(string service, string project, string setting)
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "deploy", $"{service}.Dockerfile"));

        Assert.Contains($"dotnet publish {project}", dockerfile);
        Assert.True(File.Exists(Path.Combine(RepositoryLayout.Root, project)), $"{project} is missing");
        Assert.Contains(setting, dockerfile);
        Assert.Matches(@"(?m)^ENTRYPOINT \[""dotnet"", ""[\w.-]+\.dll""\]$", dockerfile);
    }

    private static string Config()
    {
        var (exit, output, error) = Compose(Passwords, "config");
        Assert.True(exit == 0, error);
        return output;
    }

    /// <summary>The text of each service in `docker-compose config`'s output, by service name.</summary>
    private static Dictionary<string, string> ServiceBlocks(string config)
    {
        var services = config[(config.IndexOf("\nservices:\n", StringComparison.Ordinal) + 1)..];
        var end = Regex.Match(services[1..], @"(?m)^\S").Index;
        services = end > 0 ? services[..(end + 1)] : services;
        return ServiceStart().Split(services).Skip(1).Chunk(2).ToDictionary(pair => pair[0], pair => pair[1]);
    }

    private static string Setting(string block, string key) => Regex.Match(block, $@"(?m)^\s+{key}: (\S+)$").Groups[1].Value;

    private static (int Exit, string Output, string Error) Compose(Dictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("docker-compose") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryLayout.Root };
        foreach (var argument in new[] { "-f", Path.Combine(RepositoryLayout.Root, "docker-compose.yml") }.Concat(arguments))
            start.ArgumentList.Add(argument);
        foreach (var variable in Passwords.Keys)
            start.Environment.Remove(variable);
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start docker-compose (Debian package docker-compose; ./caas test installs it)");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "docker-compose did not finish within 60 s");
        return (process.ExitCode, output.Result, error.Result);
    }

    [GeneratedRegex(@"(?m)^  ([\w-]+):\n")]
    private static partial Regex ServiceStart();
}
