using MassTransit;
using Microsoft.Extensions.Hosting;

namespace Caas.Recovery.Tests;

/// <summary>Records each Reminder with the scheduling token it arrived with and which host received it.</summary>
public sealed class ArrivalConsumer(ArrivalLog log, IHostEnvironment host) : IConsumer<Reminder>
{
    public Task Consume(ConsumeContext<Reminder> context)
    {
        log.Add(new ArrivalLog.Arrival(context.Message, context.GetSchedulingTokenId(), context.MessageId, host.ApplicationName));
        return Task.CompletedTask;
    }
}
