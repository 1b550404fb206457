using System.Text.Json;
using System.Text.RegularExpressions;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>
/// A user moves a running job to another node with the CLI alone, on a real cluster (server, broker, database, two agent
/// processes with CRIU): `caas submit`, `caas migrate --node X --wait`, then the job runs on X from where it was, and
/// `caas logs` reads its output from X's agent.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class CliMigrationTests(CliMigrationCluster cluster) : IClassFixture<CliMigrationCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan CliTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Caas_migrate_moves_a_running_job_to_the_named_node_where_it_goes_on_from_its_progress_and_caas_logs_reads_it_there()
    {
        using var cli = new CaasCli(cluster.Host.Url, await cluster.Host.CreateTokenAsync("admin", cluster.Host.AdminPassword!));
        var submitted = await cli.RunAsync(CliTimeout, "submit", "--name", "moved by the cli", "--pool", CliMigrationCluster.Pool, "--",
            RepositoryLayout.NativeBinary("counter"), "--target", "1000000", "--rate", "20");
        Assert.True(submitted.Exit == 0, submitted.Error);
        var jobId = Regex.Match(submitted.Output, @"job-[0-9a-f]{10}").Value;
        try
        {
            var before = await cluster.Api.WaitForJobAsync(jobId, j => j.Status == JobStatus.Running && j.Progress > 0, Patience, "running with progress");
            var source = before.NodeId!;
            var target = CliMigrationCluster.MigrationNodes.Single(n => n.NodeId != source).NodeId;

            var migrated = await cli.RunAsync(CliTimeout, "migrate", jobId, "--node", target, "--wait", "--timeout", "240");

            Assert.True(migrated.Exit == 0, $"exit {migrated.Exit}: {migrated.Error}\n{cluster.Host.ReadLog()}");
            Assert.Contains($"{jobId} runs on {target}", migrated.Output, StringComparison.Ordinal);
            // The progress bar (standard error, one line per step when not a terminal) ends full, on the target.
            Assert.Contains($"100% running on {target}", migrated.Error, StringComparison.Ordinal);
            // The restored job reports to the socket path of the node it started on; here that path must lead to the target's agent.
            cluster.FollowProgress(source, target);
            var moved = await cluster.Api.GetJobAsync(jobId);
            var checkpoint = moved.Checkpoints.OrderBy(c => c.Sequence).Last();
            Assert.True(checkpoint.Progress >= before.Progress, $"checkpointed at {checkpoint.Progress}, below the {before.Progress} seen before the move");
            var after = await cluster.Api.WaitForJobAsync(jobId, j => j.Progress > checkpoint.Progress, Patience, "progressing past its checkpoint");
            Assert.Equal((JobStatus.Running, target), (after.Status, after.NodeId));

            var shown = await cli.RunAsync(CliTimeout, "show", jobId, "--json");
            Assert.Equal(target, JsonDocument.Parse(shown.Output).RootElement.GetProperty("nodeId").GetString());

            var logs = await cli.RunAsync(CliTimeout, "logs", jobId, "--tail", "3", "--json");
            Assert.True(logs.Exit == 0, logs.Error);
            var output = JsonSerializer.Deserialize<JobOutput>(logs.Output, CaasApi.Json)!;
            Assert.Equal(target, output.NodeId);
            var counts = output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => long.Parse(line["count ".Length..])).ToArray();
            Assert.Equal(3, counts.Length);
            Assert.Equal(counts.Order(), counts);
            // Written after the restore on the target: counted past the checkpoint (the counter prints "count N" as it reports N/1000000).
            Assert.True(counts[^1] > checkpoint.Progress * 1_000_000, $"the last line, count {counts[^1]}, is not past the checkpoint at {checkpoint.Progress}");
        }
        finally
        {
            await cli.RunAsync(CliTimeout, "kill", jobId);
        }
    }
}
