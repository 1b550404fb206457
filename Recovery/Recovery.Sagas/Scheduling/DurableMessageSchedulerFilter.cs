using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;

namespace Caas.Recovery.Sagas.Scheduling;

/// <summary>
/// Gives every message consumed on an endpoint the durable scheduler, so that a state machine's
/// Schedule and Unschedule use it. It replaces a scheduler the bus may have added (the in-memory
/// transport's delayed messages), which would lose timeouts on a crash.
/// </summary>
public sealed class DurableMessageSchedulerFilter(IScheduledMessageStore store, DispatchSignal signal, TimeProvider time) : IFilter<ConsumeContext>
{
    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        var scheduler = new ConsumeMessageSchedulerContext(context, CreateScheduler);
        context.AddOrUpdatePayload<MessageSchedulerContext>(() => scheduler, _ => scheduler);
        return next.Send(context);
    }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateFilterScope("scheduler");
        scope.Add("type", "durable");
        scope.Add("store", store.Backend);
    }

    private IMessageScheduler CreateScheduler(ConsumeContext context) =>
        new MessageScheduler(new DurableScheduleMessageProvider(store, signal, time), context.GetPayload<IBusTopology>());
}
