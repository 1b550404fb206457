using Caas.Capture.Agent.Ranks;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Distributed;
using Caas.Contracts.Bus;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Capture.Tests;

/// <summary>
/// A rank step or launch answered by another node than the one asked (any agent can read any agent's queue on a shared
/// broker, and the credential check only proves who answered) is not taken for the asked node's outcome. A real
/// in-memory bus; the impostor is a consumer on the asked node's queue that answers in its own name.
/// </summary>
[Trait("Category", "Unit")]
public sealed class RankAnswerFromAnotherNodeTests : IAsyncLifetime
{
    private const string Asked = "node-asked";
    private const string Impostor = "node-impostor";
    private ServiceProvider _services = null!;
    private IBusControl _bus = null!;

    public async Task InitializeAsync()
    {
        _services = new ServiceCollection()
            .AddMassTransit(bus =>
            {
                bus.AddConsumer<ImpostorAgent>();
                bus.UsingInMemory((context, cfg) => cfg.ReceiveEndpoint(AgentAddress.QueueName(Asked), e => e.ConfigureConsumer<ImpostorAgent>(context)));
            })
            .BuildServiceProvider();
        _bus = _services.GetRequiredService<IBusControl>();
        await _bus.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _bus.StopAsync();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task A_rank_step_answered_by_another_node_fails_and_names_both_nodes()
    {
        var rank = new BusRank(_bus, "job-0123456789", new RankPlacement(0, Asked, "198.18.0.10"), 1, TimeSpan.FromSeconds(30));

        var failure = await Assert.ThrowsAsync<CheckpointEngineException>(() => rank.LockAsync(CancellationToken.None));

        Assert.Equal($"{Asked} was asked to Lock, but node {Impostor} answered; its answer is ignored", failure.Message);
    }

    [Fact]
    public async Task A_launch_answered_by_another_node_fails_the_launch_of_that_rank()
    {
        var coordinator = new DistributedJobCoordinator(_bus, TimeSpan.FromSeconds(30));

        var failure = await Assert.ThrowsAsync<DistributedCheckpointFailedException>(() => coordinator.LaunchAsync(
            "job-0123456789", [new RankPlacement(0, Asked, "198.18.0.10")], "/bin/true", []));

        Assert.Equal([0], failure.FailedRanks);
        Assert.Equal($"launch failed in rank 0: {Asked} was asked to launch, but node {Impostor} answered; its answer is ignored", failure.Message);
    }

    /// <summary>Says "done" to everything, in its own node's name.</summary>
    private sealed class ImpostorAgent : IConsumer<RankStep>, IConsumer<LaunchRank>
    {
        public Task Consume(ConsumeContext<RankStep> context) =>
            context.RespondAsync(new RankStepDone(context.Message.JobId, context.Message.Rank, Impostor, context.Message.Kind, 0, 0, 0));

        public Task Consume(ConsumeContext<LaunchRank> context) =>
            context.RespondAsync(new RankStepDone(context.Message.JobId, context.Message.Rank, Impostor, null, 0, 0, 0));
    }
}
