using Caas.Portal.Tests.Api;
using Caas.Web.Cli;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Cli;

/// <summary>`caas-cli admin` against the portal's API on a real Kestrel server.</summary>
[Trait("Category", "Integration")]
public sealed class CliAdminTests : IAsyncLifetime
{
    private PortalApiHost host = null!;
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();
    private readonly DirectoryInfo config = Directory.CreateTempSubdirectory("caas-cli-config-");

    public async Task InitializeAsync()
    {
        host = await PortalApiHost.StartAsync();
        host.Projections.Views.Add(new ProjectionView { Name = "alerts", Position = 100, HeadPosition = 100, SavedPosition = 100, SavedAt = SampleJobs.Start });
        host.Projections.Views.Add(new ProjectionView { Name = "jobs", Position = 97, HeadPosition = 100, Age = TimeSpan.FromSeconds(0.5) });
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        config.Delete(recursive: true);
    }

    private Task<int> Cli(string? token, params string[] args) =>
        CliApp.RunAsync(["--url", host.Client.BaseAddress!.ToString(), .. args], output, error, environmentUrl: null, new FakeTimeProvider(SampleJobs.Start),
            environmentToken: token, tokenFile: new TokenFile(Path.Combine(config.FullName, "caas", "token")));

    [Fact]
    public async Task Projections_lists_each_read_models_lag_and_last_save()
    {
        Assert.Equal(ExitCodes.Ok, await Cli(host.AdminToken, "admin", "projections"));

        Assert.Equal(
            """
            PROJECTION  POSITION  HEAD  LAG  AGE    SAVED                        STATE
            alerts      100       100   0    0 s    100 at 2026-11-26 10:00:00Z  caught up
            jobs        97        100   3    0.5 s  never                        catching up

            """.ReplaceLineEndings(), output.ToString());
    }

    [Fact]
    public async Task Rebuild_projections_starts_the_rebuild_and_shows_its_progress_until_it_is_done()
    {
        Assert.Equal(ExitCodes.Ok, await Cli(host.AdminToken, "admin", "rebuild-projections", "jobs"));

        Assert.Equal(
            """
            Rebuilding jobs from position 0 up to 100.
              jobs: 0 / 100 (0%)
              jobs: 50 / 100 (50%)
            Rebuilt jobs (at 100, lag 0).

            """.ReplaceLineEndings(), output.ToString());
        Assert.Equal(["jobs"], host.Projections.Rebuilt);
    }

    [Fact]
    public async Task Rebuild_projections_needs_an_admin_and_an_existing_name()
    {
        var operatorToken = await host.CreateUserWithTokenAsync("olga", "operator");

        Assert.Equal(ExitCodes.Refused, await Cli(operatorToken, "admin", "rebuild-projections"));
        Assert.Equal(ExitCodes.Refused, await Cli(host.AdminToken, "admin", "rebuild-projections", "jobz"));

        Assert.Equal(
            """
            caas-cli: olga has the role operator; POST /api/v1/projections/rebuild needs the role admin.
            caas-cli: No projection is named 'jobz'.

            """.ReplaceLineEndings(), error.ToString());
        Assert.Empty(host.Projections.Rebuilt);
    }
}
