using System.Text.Json;
using Caas.Portal.Tests.Api;
using Caas.Web.Cli;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Cli;

/// <summary>`caas-cli checkpoints` against the portal's API on a real Kestrel server.</summary>
[Trait("Category", "Integration")]
public sealed class CliCheckpointsTests : IAsyncLifetime
{
    private const string Job = "job-000000000a";
    private PortalApiHost host = null!;
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();
    private readonly DirectoryInfo config = Directory.CreateTempSubdirectory("caas-cli-config-");

    private FakeJobPlatform Platform => host.Platform;

    public async Task InitializeAsync()
    {
        host = await PortalApiHost.StartAsync();
        Platform.Jobs.Add(SampleJobs.Running(Job, "counter", 0.5, SampleJobs.Start));
        Platform.Catalog.Add(SampleJobs.CatalogEntry(Job, SampleJobs.Checkpoint(1, 0.1, SampleJobs.Start.AddMinutes(1)), CheckpointVerification.Verified));
        Platform.Catalog.Add(SampleJobs.CatalogEntry(Job, SampleJobs.Checkpoint(2, 0.2, SampleJobs.Start.AddMinutes(2)) with { ParentSequence = 1 }) with
        {
            Removal = CheckpointRemoval.Retention, RemovedAt = SampleJobs.Start.AddMinutes(3), RemovalReason = "beyond the last 5 checkpoints",
        });
        Platform.Catalog.Add(SampleJobs.CatalogEntry(Job, SampleJobs.Checkpoint(3, 0.3, SampleJobs.Start.AddMinutes(3))) with
        {
            BytesMoved = 2 * 1024 * 1024, RestoreDuration = TimeSpan.FromMilliseconds(250),
        });
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        config.Delete(recursive: true);
    }

    private Task<int> Cli(params string[] args) =>
        CliApp.RunAsync(["--url", host.Client.BaseAddress!.ToString(), .. args], output, error, environmentUrl: null, new FakeTimeProvider(SampleJobs.Start.AddMinutes(5)),
            environmentToken: host.AdminToken, tokenFile: new TokenFile(Path.Combine(config.FullName, "caas", "token")));

    [Fact]
    public async Task List_prints_lineage_verification_and_removal()
    {
        Assert.Equal(ExitCodes.Ok, await Cli("checkpoints", "list", "--job", Job));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("JOB             SEQ  PARENT  TAKEN                NODE    PROGRESS  SIZE     DURATION  PAUSE   DUMP   MOVED    RESTORE  VERIFICATION                  STATE", lines[0]);
        Assert.Equal("job-000000000a  3    -       2026-11-26 10:03:00  node-a  30%       5.5 MiB  0.41 s    0.12 s  0.3 s  2.0 MiB  0.25 s   unverified                    kept", lines[1]);
        Assert.Equal("job-000000000a  2    1       2026-11-26 10:02:00  node-a  20%       5.5 MiB  0.41 s    0.12 s  0.3 s  0 B      -        unverified                    pruned", lines[2]);
        Assert.Equal("job-000000000a  1    -       2026-11-26 10:01:00  node-a  10%       5.5 MiB  0.41 s    0.12 s  0.3 s  0 B      -        verified 2026-11-26 10:02:00  kept", lines[3]);
        Assert.Equal("1-3 of 3", lines[4]);
    }

    [Fact]
    public async Task List_with_json_prints_the_APIs_page_and_passes_the_filters()
    {
        Assert.Equal(ExitCodes.Ok, await Cli("checkpoints", "list", "--status", "Verified", "--node", "node-a", "--existing", "--json"));

        using var page = JsonDocument.Parse(output.ToString());
        var item = Assert.Single(page.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal((Job, 1, "Verified"), (item.GetProperty("jobId").GetString(), item.GetProperty("sequence").GetInt32(), item.GetProperty("verification").GetString()));
        Assert.Equal(new CheckpointCatalogFilter { NodeId = "node-a", Verification = CheckpointVerification.Verified, IncludeRemoved = false }, Platform.CatalogQueries.Single().Filter);
    }

    [Fact]
    public async Task Verify_and_delete_say_what_they_asked_for()
    {
        Assert.Equal(ExitCodes.Ok, await Cli("checkpoints", "verify", Job, "3"));
        Assert.Equal(ExitCodes.Ok, await Cli("checkpoints", "delete", Job, "3"));

        Assert.Equal([(Job, 3)], Platform.VerifyCalls);
        Assert.Equal([(Job, 3)], Platform.DeleteCalls);
        Assert.Equal($"Verification of checkpoint 3 of {Job} requested.\nDeletion of checkpoint 3 of {Job} requested.", output.ToString().Trim().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_refused_delete_exits_1_with_the_reason_and_deletes_nothing()
    {
        var exit = await Cli("checkpoints", "delete", Job, "1");

        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Equal($"caas-cli: checkpoint 1 is the newest verified checkpoint of job {Job}; the last verified one is never deleted (verify a newer one first)", error.ToString().Trim());
        Assert.Empty(Platform.DeleteCalls);
    }

    [Fact]
    public async Task A_sequence_that_is_not_a_number_is_a_usage_error_and_sends_nothing()
    {
        var exit = await Cli("checkpoints", "verify", Job, "newest");

        Assert.NotEqual(ExitCodes.Ok, exit);
        Assert.Contains("newest", error.ToString());
        Assert.Empty(Platform.VerifyCalls);
    }
}
