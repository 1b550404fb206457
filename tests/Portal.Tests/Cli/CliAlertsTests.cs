using System.Text.Json;
using Caas.Portal.Tests.Api;
using Caas.Web.Cli;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Cli;

/// <summary>caas alerts list/ack/silence/silences/unsilence against the portal's API on a real Kestrel server.</summary>
[Trait("Category", "Integration")]
public sealed class CliAlertsTests : IAsyncLifetime
{
    private PortalApiHost host = null!;
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();
    private readonly DirectoryInfo config = Directory.CreateTempSubdirectory("caas-cli-config-");

    private FakeAlerts Alerts => host.Alerts;

    public async Task InitializeAsync()
    {
        host = await PortalApiHost.StartAsync();
        Alerts.Alerts.Add(new AlertView
        {
            Id = "stalled-job-000000000a", JobId = "job-000000000a", JobName = "sim", Kind = AlertKind.Stalled, State = AlertState.Firing,
            Message = "no progress for 40 s", RaisedAt = SampleJobs.Start, SilencedBy = ["s7"],
        });
        Alerts.Alerts.Add(new AlertView
        {
            Id = "failed-job-000000000b", JobId = "job-000000000b", JobName = "old", Kind = AlertKind.Failed, State = AlertState.Resolved,
            Message = "exit code 3", RaisedAt = SampleJobs.Start, ResolvedAt = SampleJobs.Start.AddSeconds(30),
        });
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        config.Delete(recursive: true);
    }

    private Task<int> Cli(params string[] args) =>
        CliApp.RunAsync(["--url", host.Client.BaseAddress!.ToString(), .. args], output, error, environmentUrl: null, new FakeTimeProvider(SampleJobs.Start.AddMinutes(1)),
            environmentToken: host.AdminToken, tokenFile: new TokenFile(Path.Combine(config.FullName, "caas", "token")));

    [Fact]
    public async Task Alerts_list_prints_open_alerts_as_a_table_and_the_page_as_json()
    {
        Assert.Equal(ExitCodes.Ok, await Cli("alerts", "list"));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("ID", lines[0], StringComparison.Ordinal);
        Assert.Contains("stalled-job-000000000a", lines[1], StringComparison.Ordinal);
        Assert.Contains("firing (silenced)", lines[1], StringComparison.Ordinal);

        output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Ok, await Cli("alerts", "list", "--state", "resolved", "--json"));
        using var json = JsonDocument.Parse(output.ToString());
        Assert.Equal("failed-job-000000000b", json.RootElement.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Equal((AlertState?)AlertState.Resolved, Alerts.ListCalls[^1].State);
    }

    [Fact]
    public async Task Alerts_list_for_a_job_prints_its_open_then_past_alerts_and_the_page_as_json()
    {
        host.Platform.Jobs.Add(SampleJobs.Running("job-000000000a", "sim", 0.5, SampleJobs.Start));
        Alerts.Alerts.Add(new AlertView
        {
            Id = "failed-job-000000000a", JobId = "job-000000000a", JobName = "sim", Kind = AlertKind.Failed, State = AlertState.Resolved,
            Message = "exit code 3", RaisedAt = SampleJobs.Start, ResolvedAt = SampleJobs.Start.AddSeconds(30),
        });

        Assert.Equal(ExitCodes.Ok, await Cli("alerts", "list", "--job", "job-000000000a"));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("ID", lines[0], StringComparison.Ordinal);
        Assert.Contains("stalled-job-000000000a", lines[1], StringComparison.Ordinal);
        Assert.Contains("failed-job-000000000a", lines[2], StringComparison.Ordinal);
        Assert.DoesNotContain("job-000000000b", output.ToString(), StringComparison.Ordinal);

        output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Ok, await Cli("alerts", "list", "--job", "job-000000000a", "--skip", "1", "--take", "1", "--json"));
        using var json = JsonDocument.Parse(output.ToString());
        Assert.Equal(2, json.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(["failed-job-000000000a"], json.RootElement.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetString()));
        Assert.Equal(("job-000000000a", 1, 1), Alerts.JobListCalls[^1]);
    }

    [Fact]
    public async Task Alerts_list_for_an_unknown_job_exits_1_saying_so()
    {
        Assert.Equal(ExitCodes.Refused, await Cli("alerts", "list", "--job", "job-00000000ff"));
        Assert.Equal("caas-cli: No job has id 'job-00000000ff'.", error.ToString().Trim());
        Assert.Empty(output.ToString());
        Assert.Empty(Alerts.JobListCalls);
    }

    [Fact]
    public async Task Alerts_list_for_a_job_with_a_state_exits_1_and_asks_nothing()
    {
        Assert.Equal(ExitCodes.Refused, await Cli("alerts", "list", "--job", "job-000000000a", "--state", "firing"));
        Assert.Contains("--state applies only to the list of every alert", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(Alerts.JobListCalls);
        Assert.Empty(Alerts.ListCalls);
    }

    [Fact]
    public async Task A_bad_state_exits_1_with_the_accepted_states()
    {
        Assert.Equal(ExitCodes.Refused, await Cli("alerts", "list", "--state", "burning"));
        Assert.Contains("'state' must be one of Firing, Pending, Acknowledged, Resolved", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ack_acknowledges_as_the_token_owner_and_an_unknown_alert_exits_1()
    {
        Assert.Equal(ExitCodes.Ok, await Cli("alerts", "ack", "stalled-job-000000000a", "--comment", "looking", "--json"));
        using var json = JsonDocument.Parse(output.ToString());
        Assert.Equal("Acknowledged", json.RootElement.GetProperty("state").GetString());
        Assert.Equal([("stalled-job-000000000a", "admin", (string?)"looking")], Alerts.Acknowledged);

        Assert.Equal(ExitCodes.Refused, await Cli("alerts", "ack", "stalled-job-00000000ff"));
        Assert.Equal("caas-cli: No alert has id 'stalled-job-00000000ff'.", error.ToString().Trim());
    }

    [Fact]
    public async Task Silence_creates_one_for_the_given_matchers_and_time_and_unsilence_ends_it()
    {
        Assert.Equal(ExitCodes.Ok, await Cli("alerts", "silence", "--kind", "stalled", "--job", "job-000000000a", "--for", "2h", "--reason", "storage maintenance", "--json"));
        var silence = Assert.Single(Alerts.Silences);
        Assert.Equal((AlertKind.Stalled, "job-000000000a", TimeSpan.FromHours(2), "admin", "storage maintenance"),
            (silence.Matchers.Kind, silence.Matchers.JobId, silence.EndsAt - silence.CreatedAt, silence.CreatedBy, silence.Reason));
        using (var json = JsonDocument.Parse(output.ToString()))
            Assert.Equal(silence.Id, json.RootElement.GetProperty("id").GetString());

        output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Ok, await Cli("alerts", "unsilence", silence.Id));
        Assert.Equal("admin", Alerts.Silences.Single().ExpiredBy);
    }

    [Fact]
    public async Task A_silence_with_an_unreadable_duration_exits_1_and_creates_nothing()
    {
        Assert.Equal(ExitCodes.Refused, await Cli("alerts", "silence", "--job", "job-000000000a", "--for", "soon", "--reason", "x"));
        Assert.Contains("'for' must be a duration such as 30m, 2h or 1d", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(Alerts.Silences);
    }
}
