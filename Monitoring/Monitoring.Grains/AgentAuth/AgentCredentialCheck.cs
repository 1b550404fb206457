using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Caas.Contracts.Audit;
using Caas.Contracts.Bus;
using Caas.Contracts.Services;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.AgentAuth;

/// <summary>
/// The verdict on one agent message, shared by the filter in front of consumers and sagas and the one in front of
/// request clients: it passes only when its headers carry the current credential of the node it speaks for. Anything
/// else (no credential, a wrong or revoked one, a credential of another node) is logged and audited as refused, damped
/// per sender and reason (<see cref="RefusalDamper"/>).
/// </summary>
/// <param name="storeRetries">
/// The waits between tries when the credential store cannot answer (the cluster's PostgreSQL restarting). The check
/// runs in front of the consumers' own retry (ReportRetry), so without these a report that arrived during the outage
/// would fault and be lost instead of waiting, unacknowledged, until it can be checked and recorded.
/// </param>
internal sealed class AgentCredentialCheck(IAgentCredentials credentials, IAuditTrail audit, TimeProvider clock, ILogger logger, IReadOnlyList<TimeSpan> storeRetries)
{
    /// <summary>
    /// Per credential store (one per host), the SHA-256 of each node's credential the store last accepted. Used only
    /// while the store cannot answer: nobody can enroll or revoke through it then either, so its last answer is still
    /// the truth as far as anyone can tell, and the node's heartbeats go on reaching its grain (which is what keeps a
    /// node that keeps talking from being declared lost during a database restart). Only accepted credentials are
    /// kept, so unauthenticated senders cannot grow it: one entry per enrolled node.
    /// </summary>
    private static readonly ConditionalWeakTable<IAgentCredentials, ConcurrentDictionary<string, byte[]>> LastAccepted = new();

    /// <summary>Per audit trail (one per host), so that every filter's refusals of one sender are damped together.</summary>
    private static readonly ConditionalWeakTable<IAuditTrail, RefusalDamper> Dampers = new();

    public async Task<bool> AdmitsAsync(object message, Headers headers, CancellationToken ct)
    {
        var node = headers.Get<string>(AgentMessages.NodeHeader);
        var credential = headers.Get<string>(AgentMessages.CredentialHeader);
        var problem = await ProblemAsync(message, node, credential, ct);
        if (problem is null)
            return true;
        var kind = message.GetType().Name;
        var sender = $"agent {node ?? "(unnamed)"}";
        var now = clock.GetUtcNow();
        if (Dampers.GetValue(audit, _ => new RefusalDamper()).ShouldRecord(sender, problem, now) is not { } counted)
        {
            logger.LogDebug("Refused {Message} claiming node {Node}: {Problem}", kind, node ?? "(none)", problem);
            return false;
        }
        var reason = counted.Suppressed == 0 ? problem
            : $"{problem} (and {counted.Suppressed} more refusal(s) of this sender for this reason since {counted.Since:u}, not recorded one by one)";
        logger.LogWarning("Refused {Message} claiming node {Node}: {Problem}", kind, node ?? "(none)", reason);
        await audit.RecordAsync(new AuditRecord
        {
            Id = Guid.NewGuid(), At = now, User = sender, Action = AuditActions.AgentRefused,
            Target = kind, Outcome = AuditOutcome.Refused, Reason = reason,
        }, ct);
        return false;
    }

    private async Task<string?> ProblemAsync(object message, string? node, string? credential, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(node) || string.IsNullOrEmpty(credential))
            return "the message carries no agent credential";
        if (AgentMessages.TryGetSpeaker(message, out var speaker) && speaker is not null && speaker != node)
            return $"the message speaks for node {speaker} but carries the credential of node {node}";
        var accepted = LastAccepted.GetOrCreateValue(credentials);
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(credential));
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var problem = await credentials.CheckAsync(node, credential, ct);
                if (problem is null)
                    accepted[node] = presented;
                else if (accepted.TryGetValue(node, out var last) && CryptographicOperations.FixedTimeEquals(last, presented))
                    accepted.TryRemove(node, out _);
                return problem;
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                if (accepted.TryGetValue(node, out var last) && CryptographicOperations.FixedTimeEquals(last, presented))
                {
                    logger.LogDebug("Could not check the credential of node {Node} ({Error}); the store accepted it last time", node, error.Message);
                    return null;
                }
                if (attempt >= storeRetries.Count)
                    throw;
                logger.LogWarning("Could not check the credential of node {Node} ({Error}); trying again in {Wait}", node, error.Message, storeRetries[attempt]);
                await Task.Delay(storeRetries[attempt], clock, ct);
            }
        }
    }
}
