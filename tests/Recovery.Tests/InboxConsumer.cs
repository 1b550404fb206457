using MassTransit;

namespace Caas.Recovery.Tests;

/// <summary>Stands in for whoever consumes T (an agent's queue, monitoring) and hands what arrives to the test.</summary>
public sealed class InboxConsumer<T>(MessageInbox<T> inbox) : IConsumer<T>
    where T : class
{
    public Task Consume(ConsumeContext<T> context)
    {
        inbox.Add(context.Message);
        return Task.CompletedTask;
    }
}
