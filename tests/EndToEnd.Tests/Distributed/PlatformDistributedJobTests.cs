using System.Net;
using System.Net.Http.Json;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.EndToEnd.Tests.Distributed;

/// <summary>
/// A distributed job through the real platform, as a user runs one: a ring of three ranks submitted through the HTTP
/// API is placed by the platform on three of six real agents, each rank at an address the platform leased; checkpointed
/// as one through the API (one catalog entry with three ranks), killed, restored through the API on the three OTHER
/// agents (each rank's bundle moved by the agents, each rank back at its own address with its connections), and the
/// job completes, its ranks' exits folded into it, with the sum it would have had uninterrupted.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class PlatformDistributedJobTests(PlatformRankCluster cluster) : IClassFixture<PlatformRankCluster>, IAsyncLifetime
{
    private const int Size = 3;
    private const int Rounds = 300;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly List<string> _jobs = [];

    private CaasApi Api => cluster.Api;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var jobId in _jobs)
            await DistributedCluster.RemoveRanksAsync(jobId, cluster.Network.Bridge);
    }

    private async Task<JobView> SubmitRing(int ranks)
    {
        var job = await Api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("ring"),
            args = new[] { "--rounds", Rounds.ToString(), "--hop-ms", "30" },
            pool = PlatformRankCluster.Pool,
            ranks,
        });
        _jobs.Add(job.JobId);
        return job;
    }

    [Fact]
    public async Task A_ring_submitted_through_the_API_is_checkpointed_as_one_killed_and_restored_on_other_agents_and_completes_with_the_right_sum()
    {
        var submitted = await SubmitRing(Size);
        Assert.Equal(Size, submitted.Ranks.Count);
        Assert.Equal(Size, submitted.Ranks.Select(r => r.NodeId).Distinct().Count());
        Assert.Equal(Size, submitted.Ranks.Select(r => r.Address).Distinct().Count());
        Assert.All(submitted.Ranks, r => Assert.StartsWith($"{cluster.Network.Subnet}.1", r.Address));
        var id = submitted.JobId;
        var first = await Api.WaitForJobAsync(id, j => j.Status == JobStatus.Running, Patience, "running");
        var rank0 = first.Ranks[0];
        await RankRuns.UntilAsync(() => RankRuns.LastRound(cluster.RankOutput(rank0.NodeId, id, 0, 0)), r => r >= 3,
            () => $"round 3 at rank 0 ({string.Join(" | ", cluster.RankOutput(rank0.NodeId, id, 0, 0, "stderr.log").TakeLast(3))})");

        var sequence = await Api.CheckpointAsync(id);
        var checkpointed = await Api.WaitForJobAsync(id, j => j.Checkpoints.Count == 1 && j.PendingCheckpoint is null, Patience, "checkpointed");
        Assert.Equal(JobStatus.Running, checkpointed.Status);
        var checkpoint = Assert.Single(checkpointed.Checkpoints);
        Assert.Equal(first.Ranks.Select(r => (r.Rank, r.NodeId, r.Address)), checkpoint.Ranks.Select(r => (r.Rank, r.NodeId, r.Address)));
        var catalog = (await Api.Http.GetFromJsonAsync<Page<CheckpointCatalogEntry>>($"/api/v1/jobs/{id}/checkpoints", CaasApi.Json))!;
        var entry = Assert.Single(catalog.Items);
        Assert.Equal((sequence, Size), (entry.Sequence, entry.Checkpoint.Ranks.Count));

        await Api.KillAsync(id);
        var killed = await Api.WaitForJobAsync(id, j => j.Status == JobStatus.Stopped, Patience, "stopped by the kill");
        Assert.All(killed.Ranks, r => Assert.Equal(RankState.Stopped, r.State));
        Assert.Empty(DistributedCluster.NamespacesOf(id));

        var restore = await Api.PostRestoreAsync(id, sequence);
        Assert.Equal(HttpStatusCode.Accepted, restore.StatusCode);
        var restored = await Api.WaitForJobAsync(id, j => j.Status == JobStatus.Running && j.Ranks.All(r => r.State == RankState.Running), Patience, "running again");
        Assert.Empty(restored.Ranks.Select(r => r.NodeId).Intersect(first.Ranks.Select(r => r.NodeId)));
        Assert.Equal(first.Ranks.Select(r => r.Address), restored.Ranks.Select(r => r.Address));

        var done = await Api.WaitForJobAsync(id, j => j.Status is JobStatus.Completed or JobStatus.Failed, Patience, "finished");
        Assert.Equal((JobStatus.Completed, 0), (done.Status, done.ExitCode));
        Assert.All(done.Ranks, r => Assert.Equal(RankState.Exited, r.State));
        var output = cluster.RankOutput(restored.Ranks[0].NodeId, id, 0, 1);
        Assert.Equal($"rank 0 done rounds {Rounds} value {Rounds * 6}", output[^1]);
        Assert.True(RankRuns.FirstRound(output) > 3, $"the restored ring went on from its checkpoint, not from the start (first round {RankRuns.FirstRound(output)})");
    }

    [Fact]
    public async Task More_ranks_than_the_pool_has_nodes_is_refused_with_a_problem_and_nothing_is_recorded()
    {
        var before = (await Api.ListJobsAsync()).Total;

        var response = await Api.Http.PostAsJsonAsync("/api/v1/jobs", new { command = RepositoryLayout.NativeBinary("ring"), pool = PlatformRankCluster.Pool, ranks = 7 }, CaasApi.Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"a job of 7 ranks needs 7 distinct nodes in pool '{PlatformRankCluster.Pool}'; there are 6", await response.Content.ReadAsStringAsync());
        Assert.Equal(before, (await Api.ListJobsAsync()).Total);
    }
}
