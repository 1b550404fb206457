using Caas.Contracts.Audit;
using Caas.Contracts.Bus;
using Caas.Contracts.Services;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.AgentAuth;

/// <summary>
/// The verdict on one agent message, shared by the filter in front of consumers and sagas and the one in front of
/// request clients: it passes only when its headers carry the current credential of the node it speaks for. Anything
/// else (no credential, a wrong or revoked one, a credential of another node) is logged and audited as refused.
/// </summary>
internal sealed class AgentCredentialCheck(IAgentCredentials credentials, IAuditTrail audit, TimeProvider clock, ILogger logger)
{
    public async Task<bool> AdmitsAsync(object message, Headers headers, CancellationToken ct)
    {
        var node = headers.Get<string>(AgentMessages.NodeHeader);
        var credential = headers.Get<string>(AgentMessages.CredentialHeader);
        var problem = await ProblemAsync(message, node, credential, ct);
        if (problem is null)
            return true;
        var kind = message.GetType().Name;
        logger.LogWarning("Refused {Message} claiming node {Node}: {Problem}", kind, node ?? "(none)", problem);
        await audit.RecordAsync(new AuditRecord
        {
            Id = Guid.NewGuid(), At = clock.GetUtcNow(), User = $"agent {node ?? "(unnamed)"}", Action = AuditActions.AgentRefused,
            Target = kind, Outcome = AuditOutcome.Refused, Reason = problem,
        }, ct);
        return false;
    }

    private async Task<string?> ProblemAsync(object message, string? node, string? credential, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(node) || string.IsNullOrEmpty(credential))
            return "the message carries no agent credential";
        if (AgentMessages.TryGetSpeaker(message, out var speaker) && speaker is not null && speaker != node)
            return $"the message speaks for node {speaker} but carries the credential of node {node}";
        return await credentials.CheckAsync(node, credential, ct);
    }
}
