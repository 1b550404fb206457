using System.Text.Json;
using Caas.Contracts.Bus;
using Caas.Portal.Tests.Api;
using Caas.Web.Cli;
using Caas.Web.Portal.Security;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Cli;

/// <summary>caas projects, caas submit --project, caas audit and caas nodes enroll/revoke against the portal's API on a real Kestrel server.</summary>
[Trait("Category", "Integration")]
public sealed class CliAccessTests : IAsyncLifetime
{
    private PortalApiHost host = null!;
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();
    private readonly DirectoryInfo config = Directory.CreateTempSubdirectory("caas-cli-config-");

    public async Task InitializeAsync() => host = await PortalApiHost.StartAsync();

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        config.Delete(recursive: true);
    }

    private Task<int> Cli(string token, params string[] args) =>
        CliApp.RunAsync(["--url", host.Client.BaseAddress!.ToString(), .. args], output, error, environmentUrl: null, new FakeTimeProvider(SampleJobs.Start.AddMinutes(1)),
            environmentToken: token, tokenFile: new TokenFile(Path.Combine(config.FullName, "caas", "token")));

    [Fact]
    public async Task An_admin_creates_a_project_adds_a_member_who_then_submits_into_it()
    {
        await host.Store.CreateUserAsync("vera", "vera password for tests", CaasRoles.Operator);
        var vera = await host.CreateTokenAsync("vera");

        Assert.Equal(ExitCodes.Refused, await Cli(vera, "submit", "--project", "climate", "--", "/usr/bin/true"));
        Assert.Contains("vera is not in project 'climate'", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, await Cli(host.AdminToken, "projects", "create", "climate"));
        Assert.Equal(ExitCodes.Ok, await Cli(host.AdminToken, "projects", "add", "climate", "vera"));
        output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Ok, await Cli(vera, "submit", "--project", "climate", "--", "/usr/bin/true"));

        Assert.Equal($"Submitted {host.Platform.Jobs.Single().JobId} (true) in project climate: Queued.", output.ToString().Trim());
        Assert.Equal("climate", Assert.Single(host.Platform.Submitted).Project);
        output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Ok, await Cli(host.AdminToken, "projects"));
        Assert.Equal(["climate vera", "default admin, vera"],
            output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Words));
        Assert.Equal(ExitCodes.Refused, await Cli(vera, "projects", "create", "mine"));
    }

    [Fact]
    public async Task Audit_prints_the_trail_newest_first_filtered_and_as_json()
    {
        Assert.Equal(ExitCodes.Ok, await Cli(host.AdminToken, "projects", "create", "climate"));
        output.GetStringBuilder().Clear();

        Assert.Equal(ExitCodes.Ok, await Cli(host.AdminToken, "audit", "--user", "admin"));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        Assert.EndsWith("admin project.create Succeeded climate", Words(lines[0]), StringComparison.Ordinal);
        Assert.Equal("1-1 of 1 records, newest first", lines[^1]);
        output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Ok, await Cli(host.AdminToken, "audit", "--action", "project.", "--json"));
        using var json = JsonDocument.Parse(output.ToString());
        Assert.Equal("project.create", json.RootElement.GetProperty("items")[0].GetProperty("action").GetString());
    }

    private static string Words(string line) => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public async Task Nodes_enroll_prints_the_credential_once_and_revoke_ends_it()
    {
        Assert.Equal(ExitCodes.Ok, await Cli(host.AdminToken, "nodes", "enroll", "node-a"));

        var credential = output.ToString().Trim();
        Assert.StartsWith(AgentMessages.CredentialPrefix, credential);
        Assert.Null(await host.Store.CheckAsync("node-a", credential));
        Assert.Contains("shown only now", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, await Cli(host.AdminToken, "nodes", "revoke", "node-a"));
        Assert.Equal("the credential of node node-a was revoked", await host.Store.CheckAsync("node-a", credential));
        Assert.DoesNotContain(credential, JsonSerializer.Serialize(host.Audit.Records) + host.Log.Text, StringComparison.Ordinal);
        Assert.Equal([AuditActions.NodeEnrolled, AuditActions.NodeCredentialRevoked], host.Audit.Records.Where(r => r.Action.StartsWith("node.", StringComparison.Ordinal)).Select(r => r.Action));
    }
}
