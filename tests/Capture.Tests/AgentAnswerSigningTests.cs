using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Capture.Agent;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Caas.Capture.Tests;

/// <summary>
/// The agent's answers to the platform's requests (`caas logs`, launch checks) carry its node and credential like its
/// reports do, so the platform's credential check lets them through; an agent without a credential still names its
/// node, so the refusal it gets is audited under that name. Real agent consumers on a real in-memory bus.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AgentAnswerSigningTests
{
    private const string Node = "node-a";
    private const string Credential = AgentMessages.CredentialPrefix + "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task Answers_to_output_reads_and_launch_checks_carry_the_agents_node_and_credential()
    {
        using var directory = new TemporaryDirectory();
        await using var agent = await StartAgentAsync(directory, Credential);
        var bus = agent.Services.GetRequiredService<IBus>();

        var output = await bus.CreateRequestClient<ReadJobOutput>(AgentAddress.For(Node))
            .GetResponse<JobOutputRead>(new ReadJobOutput(Node, JobIds.New(), JobOutputStream.Stdout, null, 10, 4096));
        var check = await bus.CreateRequestClient<CheckLaunch>(AgentAddress.For(Node))
            .GetResponse<LaunchCheckResult>(new CheckLaunch(Node, new JobSpec { Command = "/nonexistent/job" }));

        Assert.Equal((Node, Credential), (output.Headers.Get<string>(AgentMessages.NodeHeader), output.Headers.Get<string>(AgentMessages.CredentialHeader)));
        Assert.Equal((Node, Credential), (check.Headers.Get<string>(AgentMessages.NodeHeader), check.Headers.Get<string>(AgentMessages.CredentialHeader)));
        Assert.False(check.Message.Launchable);
    }

    [Fact]
    public async Task An_agent_without_a_credential_names_its_node_and_sends_no_credential()
    {
        using var directory = new TemporaryDirectory();
        await using var agent = await StartAgentAsync(directory, credential: null);
        var bus = agent.Services.GetRequiredService<IBus>();

        var output = await bus.CreateRequestClient<ReadJobOutput>(AgentAddress.For(Node))
            .GetResponse<JobOutputRead>(new ReadJobOutput(Node, JobIds.New(), JobOutputStream.Stdout, null, 10, 4096));

        Assert.Equal((Node, null), (output.Headers.Get<string>(AgentMessages.NodeHeader), output.Headers.Get<string>(AgentMessages.CredentialHeader)));
    }

    private static async Task<AsyncHost> StartAgentAsync(TemporaryDirectory directory, string? credential)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Caas:Agent:NodeId"] = Node,
            ["Caas:Agent:DataDirectory"] = directory.Path,
            ["Caas:Agent:ImageKeyFile"] = directory.Combine("image.key"),
            ["Caas:Agent:Capture:ShimPath"] = NativeBinaries.Shim,
            ["Caas:Agent:Capture:CriuPath"] = NativeBinaries.Criu,
            ["Caas:Agent:Credential"] = credential,
        });
        builder.Services.AddCaasAgent(builder.Configuration);
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddCaasAgentConsumers(Node);
            bus.UsingInMemory((context, cfg) =>
            {
                cfg.UseCaasAgentCredential(context);
                cfg.ConfigureEndpoints(context);
            });
        });
        var host = builder.Build();
        await host.StartAsync();
        return new AsyncHost(host);
    }

    private sealed class AsyncHost(IHost host) : IAsyncDisposable
    {
        public IServiceProvider Services => host.Services;

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}
