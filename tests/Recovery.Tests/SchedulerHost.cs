using Caas.Recovery.Sagas.Scheduling;
using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Recovery.Tests;

/// <summary>
/// One process's worth of the durable scheduler: a generic host with an in-memory bus, a dispatcher on
/// the given store and the shared fake clock, and a consumer of Reminders that writes to a shared log.
/// </summary>
public sealed class SchedulerHost : IAsyncDisposable
{
    public const string ArrivalQueue = "scheduler-arrivals";

    private readonly IHost _host;
    private readonly MessageScheduler _scheduler;

    private SchedulerHost(IHost host)
    {
        _host = host;
        Bus = host.Services.GetRequiredService<IBus>();
        Store = host.Services.GetRequiredService<IScheduledMessageStore>();
        _scheduler = new MessageScheduler(
            new DurableScheduleMessageProvider(Store, host.Services.GetRequiredService<DispatchSignal>(), host.Services.GetRequiredService<TimeProvider>()),
            Bus.Topology);
    }

    public IBus Bus { get; }
    public IScheduledMessageStore Store { get; }

    public static Uri Destination { get; } = new($"queue:{ArrivalQueue}");

    public static async Task<SchedulerHost> StartAsync(string name, IScheduledMessageStore store, FakeTimeProvider clock, ArrivalLog log)
    {
        // MassTransit keeps a host's log context in an AsyncLocal that would flow into the next host of the test.
        LogContext.Current = null!;
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ApplicationName = name });
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(log);
        builder.Services.AddSingleton<DispatchSignal>();
        builder.Services.AddSingleton(new DispatcherOptions());
        builder.Services.AddHostedService<ScheduledMessageDispatcher>();
        builder.Services.AddMassTransit(x =>
        {
            // One at a time, so that a message sent last is consumed last (see FlushAsync).
            x.AddConsumer<ArrivalConsumer>().Endpoint(e =>
            {
                e.Name = ArrivalQueue;
                e.ConcurrentMessageLimit = 1;
            });
            x.UsingInMemory((context, bus) => bus.ConfigureEndpoints(context));
        });
        var host = builder.Build();
        await host.StartAsync();
        return new SchedulerHost(host);
    }

    public Task<ScheduledMessage<Reminder>> ScheduleAsync(Reminder reminder, DateTimeOffset dueAt) =>
        _scheduler.ScheduleSend(Destination, dueAt.UtcDateTime, reminder, CancellationToken.None);

    public Task CancelAsync(Guid tokenId) => _scheduler.CancelScheduledSend(Destination, tokenId, CancellationToken.None);

    /// <summary>Sends a marker straight to the arrival queue and waits for it: every message this host's bus had queued before is then consumed.</summary>
    public async Task FlushAsync(ArrivalLog log, TimeSpan timeout)
    {
        var marker = new Reminder($"flush {Guid.NewGuid():N}", -1);
        await (await Bus.GetSendEndpoint(Destination)).Send(marker);
        await log.FirstAsync(a => a.Message == marker, timeout);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
