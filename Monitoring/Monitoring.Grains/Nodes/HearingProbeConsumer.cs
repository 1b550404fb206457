using MassTransit;

namespace Caas.Monitoring.Grains.Nodes;

/// <summary>Hands every probe to this host's <see cref="BusHearing"/>, on a temporary queue of the host's own.</summary>
public sealed class HearingProbeConsumer(BusHearing hearing) : IConsumer<HearingProbe>
{
    public Task Consume(ConsumeContext<HearingProbe> context)
    {
        hearing.Heard(context.Message);
        return Task.CompletedTask;
    }
}
