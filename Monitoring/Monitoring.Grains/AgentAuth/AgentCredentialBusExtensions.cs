using Microsoft.Extensions.DependencyInjection;
using MassTransit;

namespace Caas.Monitoring.Grains.AgentAuth;

public static class AgentCredentialBusExtensions
{
    /// <summary>
    /// Checks agents' credentials on every receive endpoint of the bus, reports in front of consumers and sagas, answers
    /// in front of request clients (call before ConfigureEndpoints). The host
    /// registers <see cref="Caas.Contracts.Services.IAgentCredentials"/> and <see cref="Caas.Contracts.Services.IAuditTrail"/>.
    /// </summary>
    public static void UseCaasAgentCredentialCheck(this IBusFactoryConfigurator cfg, IRegistrationContext context)
    {
        cfg.UseConsumeFilter(typeof(AgentCredentialConsumeFilter<>), context);
        cfg.UseFilter(ActivatorUtilities.CreateInstance<AgentAnswerCheckFilter>(context));
    }
}
