using Caas.Capture.Agent;
using Caas.Capture.Agent.Jobs;
using Caas.Capture.Engine.Bundles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Tests;

/// <summary>Which parent a new checkpoint is taken against, with real sealed bundles on disk.</summary>
[Trait("Category", "Unit")]
public sealed class CheckpointParentChoiceTests : IDisposable
{
    private const string JobId = "job-00000000d1";
    private readonly TemporaryDirectory _directory = new();
    private readonly AgentPaths _paths;
    private readonly SyntheticCheckpoints _checkpoints;

    public CheckpointParentChoiceTests()
    {
        _paths = new AgentPaths(Options.Create(new AgentOptions { DataDirectory = _directory.Path }));
        _checkpoints = new SyntheticCheckpoints(_paths.CheckpointsDirectory, JobId);
    }

    public void Dispose() => _directory.Dispose();

    private CheckpointParentChoice Choice(bool incremental = true) => new(_paths, new CheckpointBundleVerifier(TestBundles.Signer),
        Options.Create(new AgentOptions { DataDirectory = _directory.Path, Images = new ImageOptions { Incremental = incremental } }),
        NullLogger<CheckpointParentChoice>.Instance);

    [Fact]
    public async Task A_periodic_checkpoint_is_taken_against_the_newest_one_and_a_checkpoint_that_stops_the_job_in_full()
    {
        var pages = SyntheticCheckpoints.RandomPages(64, seed: 1);
        await _checkpoints.TakeAsync(1, pages);
        await _checkpoints.TakeAsync(2, SyntheticCheckpoints.Changed(pages, first: 0, count: 6, seed: 2), parentSequence: 1);

        var periodic = await Choice().ChooseAsync(JobId, 3, leaveRunning: true, CancellationToken.None);
        var stopping = await Choice().ChooseAsync(JobId, 3, leaveRunning: false, CancellationToken.None);

        Assert.Equal(2, periodic?.Manifest.Sequence);
        Assert.Null(stopping);
    }

    [Fact]
    public async Task With_incremental_checkpoints_off_every_checkpoint_is_full()
    {
        await _checkpoints.TakeAsync(1, SyntheticCheckpoints.RandomPages(64, seed: 1));

        Assert.Null(await Choice(incremental: false).ChooseAsync(JobId, 2, leaveRunning: true, CancellationToken.None));
    }
}
