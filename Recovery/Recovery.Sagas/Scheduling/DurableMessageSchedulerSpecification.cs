using MassTransit;
using MassTransit.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Recovery.Sagas.Scheduling;

/// <summary>Adds <see cref="DurableMessageSchedulerFilter"/> to an endpoint's consume pipe, with the store and clock of the container.</summary>
public sealed class DurableMessageSchedulerSpecification(IServiceProvider services) : IPipeSpecification<ConsumeContext>
{
    public void Apply(IPipeBuilder<ConsumeContext> builder) =>
        builder.AddFilter(new DurableMessageSchedulerFilter(
            services.GetRequiredService<IScheduledMessageStore>(),
            services.GetRequiredService<DispatchSignal>(),
            services.GetRequiredService<TimeProvider>()));

    public IEnumerable<ValidationResult> Validate()
    {
        if (services.GetService<IScheduledMessageStore>() is null)
            yield return this.Failure("scheduler", "No IScheduledMessageStore is registered: call AddCaasRecovery with a persistence choice.");
    }
}
