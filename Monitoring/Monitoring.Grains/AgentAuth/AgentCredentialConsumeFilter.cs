using Caas.Contracts.Bus;
using Caas.Contracts.Services;
using Caas.Monitoring.Grains.Consumers;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Monitoring.Grains.AgentAuth;

/// <summary>
/// In front of every consumer and saga: an agent's report or heartbeat goes on only when <see cref="AgentCredentialCheck"/>
/// admits it; anything else is dropped before a grain or saga sees it, so a forged report changes nothing.
/// Headers work alike on the in-memory and RabbitMQ transports.
/// </summary>
public sealed class AgentCredentialConsumeFilter<T>(
    IAgentCredentials credentials,
    IAuditTrail audit,
    IOptions<AgentCredentialOptions> options,
    TimeProvider clock,
    ILogger<AgentCredentialConsumeFilter<T>> logger) : IFilter<ConsumeContext<T>>
    where T : class
{
    // As patient with the credential store as the consumers behind it are with the event store.
    private readonly AgentCredentialCheck check = new(credentials, audit, clock, logger, ReportRetry.Default.Intervals());

    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        if (!options.Value.Required || !AgentMessages.IsAgentReport(typeof(T))
            || await check.AdmitsAsync(context.Message, context.Headers, context.CancellationToken))
            await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("agentCredential");
}
