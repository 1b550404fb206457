using Caas.Contracts.Audit;
using Caas.Contracts.Bus;
using Caas.Contracts.Services;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Monitoring.Grains.AgentAuth;

/// <summary>
/// In front of every consumer and saga: an agent's report or heartbeat goes on only when its headers carry the current
/// credential of the node it speaks for. Anything else (no credential, a wrong or revoked one, a credential of another
/// node) is dropped before a grain or saga sees it, logged and audited, so a forged report changes nothing.
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
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        if (!options.Value.Required || !AgentMessages.IsAgentReport(typeof(T)))
        {
            await next.Send(context);
            return;
        }
        var node = context.Headers.Get<string>(AgentMessages.NodeHeader);
        var credential = context.Headers.Get<string>(AgentMessages.CredentialHeader);
        var problem = await ProblemAsync(context.Message, node, credential, context.CancellationToken);
        if (problem is null)
        {
            await next.Send(context);
            return;
        }
        logger.LogWarning("Refused {Message} claiming node {Node}: {Problem}", typeof(T).Name, node ?? "(none)", problem);
        await audit.RecordAsync(new AuditRecord
        {
            Id = Guid.NewGuid(), At = clock.GetUtcNow(), User = $"agent {node ?? "(unnamed)"}", Action = AuditActions.AgentRefused,
            Target = typeof(T).Name, Outcome = AuditOutcome.Refused, Reason = problem,
        }, context.CancellationToken);
    }

    private async Task<string?> ProblemAsync(T message, string? node, string? credential, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(node) || string.IsNullOrEmpty(credential))
            return "the message carries no agent credential";
        if (AgentMessages.TryGetSpeaker(message, out var speaker) && speaker is not null && speaker != node)
            return $"the message speaks for node {speaker} but carries the credential of node {node}";
        return await credentials.CheckAsync(node, credential, ct);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("agentCredential");
}
