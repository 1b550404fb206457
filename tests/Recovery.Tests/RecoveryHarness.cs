using Caas.Contracts.Services;
using Caas.Recovery.Sagas;
using MassTransit;
using Caas.Contracts.Bus;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Recovery.Tests;

/// <summary>The recovery saga on MassTransit's in-memory test harness, over the real SQLite repository and durable scheduler.</summary>
public sealed class RecoveryHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private RecoveryHarness(ServiceProvider provider)
    {
        _provider = provider;
        Harness = provider.GetRequiredService<ITestHarness>();
        Saga = Harness.GetSagaStateMachineHarness<RecoveryStateMachine, RecoverySagaState>();
        Incidents = provider.GetRequiredService<IRecoveryIncidents>();
    }

    public static readonly DateTimeOffset Start = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    public ITestHarness Harness { get; }
    public ISagaStateMachineTestHarness<RecoveryStateMachine, RecoverySagaState> Saga { get; }
    public IRecoveryIncidents Incidents { get; }
    public RecoveryStateMachine Machine => Saga.StateMachine;

    /// <param name="inactivity">How long the bus must be quiet before the harness considers it done; longer than any timeout a test waits for,
    /// and long enough that a saga slowed by a loaded machine (SQLite writes between two messages) is not taken for finished.</param>
    public static async Task<RecoveryHarness> StartAsync(string databasePath, FakeTimeProvider clock, RecoveryOptions? options = null, TimeSpan? inactivity = null)
    {
        var persistence = RecoveryPersistence.Sqlite(databasePath);
        var provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(clock)
            .AddCaasRecoveryQueries(persistence)
            .AddMassTransitTestHarness(x =>
            {
                x.AddCaasRecovery(persistence, options);
                x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(10), testInactivityTimeout: inactivity ?? TimeSpan.FromSeconds(3));
            })
            .BuildServiceProvider(validateScopes: true);
        var harness = new RecoveryHarness(provider);
        await harness.Harness.Start();
        return harness;
    }

    public Task Publish<T>(T message)
        where T : class =>
        Harness.Bus.Publish(message);

    /// <summary>Waits until the saga has consumed <paramref name="count"/> messages of type T.</summary>
    public async Task ConsumedAsync<T>(int count = 1)
        where T : class
    {
        using var timeout = new CancellationTokenSource(Harness.TestTimeout);
        var seen = 0;
        await foreach (var _ in Saga.Consumed.SelectAsync<T>(timeout.Token))
        {
            if (++seen == count)
                return;
        }
        throw new TimeoutException($"The saga consumed {seen} of {count} {typeof(T).Name} messages.");
    }

    /// <summary>
    /// Waits until a message of type T (matching <paramref name="matches"/>) has been sent. Not Sent.Any: the saga's outbox
    /// sends after the consume has ended, and Any answers false when the harness took that gap for inactivity.
    /// </summary>
    public async Task<T> SentAsync<T>(Func<T, bool>? matches = null)
        where T : class
    {
        using var timeout = new CancellationTokenSource(Harness.TestTimeout);
        try
        {
            await foreach (var sent in Harness.Sent.SelectAsync<T>(timeout.Token))
            {
                if (matches is null || matches(sent.Context.Message))
                    return sent.Context.Message;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }
        throw new TimeoutException($"No matching {typeof(T).Name} was sent within {Harness.TestTimeout.TotalSeconds:0} s.");
    }

    public async Task<IReadOnlyList<T>> PublishedAsync<T>(int count = 1)
        where T : class
    {
        using var timeout = new CancellationTokenSource(Harness.TestTimeout);
        var found = new List<T>();
        await foreach (var published in Harness.Published.SelectAsync<T>(timeout.Token))
        {
            found.Add(published.Context.Message);
            if (found.Count == count)
                return found;
        }
        throw new TimeoutException($"{found.Count} of {count} {typeof(T).Name} messages were published.");
    }

    /// <summary>
    /// The one <see cref="RecoveryEnded"/> of a saga already seen in its final state. The outbox publishes just after
    /// the state is saved, and the harness may already count the bus as idle then, so this polls.
    /// </summary>
    public async Task<RecoveryEnded> SingleEndedAsync()
    {
        for (var i = 0; i < 100 && !Harness.Published.Select<RecoveryEnded>().Any(); i++)
            await Task.Delay(50);
        return Assert.Single(Harness.Published.Select<RecoveryEnded>()).Context.Message;
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}
