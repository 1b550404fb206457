using Microsoft.Extensions.DependencyInjection;
using Caas.Contracts.Bus;
using Caas.Capture.Agent.Consumers;
using MassTransit;

namespace Caas.Capture.Agent;

public static class AgentBusRegistrationExtensions
{
    /// <summary>
    /// The agent's command consumers on one receive endpoint, <see cref="AgentAddress.QueueName"/>
    /// of <paramref name="nodeId"/>; <c>cfg.ConfigureEndpoints(context)</c> creates it. Commands are
    /// sent there with <c>GetSendEndpoint(AgentAddress.For(nodeId))</c>.
    /// </summary>
    public static IBusRegistrationConfigurator AddCaasAgentConsumers(this IBusRegistrationConfigurator bus, string nodeId)
    {
        var queue = AgentAddress.QueueName(nodeId);
        bus.AddConsumer<LaunchJobConsumer>().Endpoint(e => e.Name = queue);
        bus.AddConsumer<CheckpointJobConsumer>().Endpoint(e => e.Name = queue);
        bus.AddConsumer<RestoreJobConsumer>().Endpoint(e => e.Name = queue);
        bus.AddConsumer<KillJobConsumer>().Endpoint(e => e.Name = queue);
        bus.AddConsumer<CheckLaunchConsumer>().Endpoint(e => e.Name = queue);
        bus.AddConsumer<TransferCheckpointConsumer>().Endpoint(e => e.Name = queue);
        bus.AddConsumer<FetchCheckpointConsumer>().Endpoint(e => e.Name = queue);
        bus.AddConsumer<VerifyCheckpointConsumer>().Endpoint(e => e.Name = queue);
        bus.AddConsumer<DeleteCheckpointConsumer>().Endpoint(e => e.Name = queue);
        bus.AddConsumer<LaunchRankConsumer>().Endpoint(e => e.Name = queue);
        bus.AddConsumer<RankStepConsumer>().Endpoint(e => e.Name = queue);
        bus.AddConsumer<ReadJobOutputConsumer>().Endpoint(e => e.Name = queue);
        return bus;
    }

    /// <summary>Signs the agent's reports with its credential (call in the transport's configuration, before ConfigureEndpoints).</summary>
    public static void UseCaasAgentCredential(this IBusFactoryConfigurator cfg, IRegistrationContext context)
    {
        var filter = new AgentCredentialSendFilter(context.GetRequiredService<AgentCredential>());
        cfg.ConfigureSend(send => send.UseFilter(filter));
        cfg.ConfigurePublish(publish => publish.UseFilter(filter));
    }
}
