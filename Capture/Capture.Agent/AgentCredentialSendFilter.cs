using System.Collections.Concurrent;
using Caas.Contracts.Bus;
using MassTransit;

namespace Caas.Capture.Agent;

/// <summary>
/// Puts the node and its credential into the headers of every report the agent sends or publishes, and of every answer
/// it gives to a request (RespondAsync sends through the same pipe). One instance for
/// the bus, not one per scope: sends that an in-memory outbox holds back run after the consume scope has gone.
/// </summary>
public sealed class AgentCredentialSendFilter(AgentCredential credential) : IFilter<SendContext>, IFilter<PublishContext>
{
    private static readonly ConcurrentDictionary<Type, bool> IsReport = new();

    public Task Send(SendContext context, IPipe<SendContext> next)
    {
        Sign(context);
        return next.Send(context);
    }

    public Task Send(PublishContext context, IPipe<PublishContext> next)
    {
        Sign(context);
        return next.Send(context);
    }

    // The node goes on even without a credential, so a refusal's audit record names the agent that needs enrolling.
    private void Sign(SendContext context)
    {
        if (!IsReport.GetOrAdd(context.GetType(), MessageIsReport))
            return;
        context.Headers.Set(AgentMessages.NodeHeader, credential.NodeId);
        if (credential.Secret is { } secret)
            context.Headers.Set(AgentMessages.CredentialHeader, secret);
    }

    // The context is a SendContext<T> for the message type T.
    private static bool MessageIsReport(Type contextType) =>
        contextType.GetInterfaces().Append(contextType)
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(SendContext<>))
            .Any(i => AgentMessages.IsAgentReport(i.GetGenericArguments()[0]));

    public void Probe(ProbeContext context) => context.CreateFilterScope("agentCredential");
}
