using System.Collections.Concurrent;
using Caas.Monitoring.Grains.Consumers;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Monitoring.Tests;

/// <summary>
/// A report that cannot be recorded for a while (store or silo away) is retried until it is recorded, not moved to
/// the error queue, where it would be lost although the broker had acknowledged it; a malformed one is given up soon.
/// Run on MassTransit's in-memory transport with the retry schedule shrunk to milliseconds.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ReportRetryTests
{
    private static readonly ReportRetry Quick = new(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), 40);

    [Fact]
    public void By_default_a_report_is_retried_for_half_an_hour_and_never_waits_more_than_a_minute_between_tries()
    {
        Assert.InRange(ReportRetry.Default.Patience, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(45));
        Assert.Equal(TimeSpan.FromMinutes(1), ReportRetry.Default.Intervals().Max());
        Assert.Equal(TimeSpan.FromMilliseconds(200), ReportRetry.Default.Intervals()[0]);
    }

    [Fact]
    public async Task A_report_whose_recording_fails_for_longer_than_a_few_tries_is_recorded_once_the_store_answers()
    {
        // Twenty failures: more than the seven tries a report used to get before it went to the error queue.
        await using var bus = await RetryBus.StartAsync(failures: 20, failure: () => new TimeoutException("the event store did not answer"));

        await bus.PublishAsync();

        await bus.WaitAsync(() => bus.Recorded.Count == 1, "the report to be recorded");
        Assert.Equal(21, bus.Attempts);
        Assert.Empty(bus.Faults);
    }

    [Theory]
    [InlineData("format")]
    [InlineData("argument")]
    public async Task A_malformed_report_is_given_up_after_three_tries(string kind)
    {
        await using var bus = await RetryBus.StartAsync(failures: int.MaxValue,
            failure: () => kind == "format" ? new FormatException("not a job id") : new ArgumentException("negative CPU time"));

        await bus.PublishAsync();

        await bus.WaitAsync(() => !bus.Faults.IsEmpty, "the report to fault");
        Assert.Equal(1 + ReportRetry.BadReportIntervals.Length, bus.Attempts);
        Assert.Empty(bus.Recorded);
    }

    public sealed record Report(string JobId);

    private sealed class Recorder(int failures, Func<Exception> failure)
    {
        private int _attempts;
        public int Attempts => Volatile.Read(ref _attempts);
        public ConcurrentQueue<Report> Recorded { get; } = new();
        public ConcurrentQueue<Fault<Report>> Faults { get; } = new();

        public void Record(Report report)
        {
            if (Interlocked.Increment(ref _attempts) <= failures)
                throw failure();
            Recorded.Enqueue(report);
        }
    }

    private sealed class ReportConsumer(Recorder recorder) : IConsumer<Report>
    {
        public Task Consume(ConsumeContext<Report> context)
        {
            recorder.Record(context.Message);
            return Task.CompletedTask;
        }
    }

    private sealed class FaultConsumer(Recorder recorder) : IConsumer<Fault<Report>>
    {
        public Task Consume(ConsumeContext<Fault<Report>> context)
        {
            recorder.Faults.Enqueue(context.Message);
            return Task.CompletedTask;
        }
    }

    private sealed class RetryBus(ServiceProvider provider, Recorder recorder) : IAsyncDisposable
    {
        public int Attempts => recorder.Attempts;
        public ConcurrentQueue<Report> Recorded => recorder.Recorded;
        public ConcurrentQueue<Fault<Report>> Faults => recorder.Faults;

        public static async Task<RetryBus> StartAsync(int failures, Func<Exception> failure)
        {
            var recorder = new Recorder(failures, failure);
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton(recorder);
            services.AddMassTransit(bus =>
            {
                bus.AddConsumer<ReportConsumer>(Quick.ApplyTo);
                bus.AddConsumer<FaultConsumer>();
                bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            });
            var provider = services.BuildServiceProvider();
            await provider.GetRequiredService<IBusControl>().StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            return new RetryBus(provider, recorder);
        }

        public Task PublishAsync() => provider.GetRequiredService<IBus>().Publish(new Report("job-0123456789"));

        public async Task WaitAsync(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!condition())
            {
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"waited 20 s for {what}; {Attempts} attempts, {Recorded.Count} recorded, {Faults.Count} faults");
                await Task.Delay(10);
            }
            // Whatever else was going to happen to the report (a late fault, one more try) has had time to.
            await Task.Delay(200);
        }

        public async ValueTask DisposeAsync()
        {
            await provider.GetRequiredService<IBusControl>().StopAsync();
            await provider.DisposeAsync();
        }
    }
}
