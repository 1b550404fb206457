using System.Collections.Concurrent;
using Caas.Contracts.Audit;
using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Caas.Monitoring.Grains.AgentAuth;
using Caas.Monitoring.Grains.Consumers;
using Caas.Recovery.Tests;
using MassTransit;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Monitoring.Tests;

/// <summary>
/// The platform's credential check on a real bus (in-memory, and RabbitMQ through a broker): a heartbeat reaches a
/// consumer, and an agent's answer to a request reaches the requester, only with the current credential of the node it
/// speaks for; unsigned, forged, borrowed and revoked ones are dropped before anyone sees them, and audited as refused.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AgentCredentialCheckTests
{
    private const string NodeA = "node-a";
    private const string NodeB = "node-b";
    private const string Revoked = "node-r";

    public static TheoryData<string> Transports() => ["in-memory", "rabbitmq"];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Only_heartbeats_with_their_nodes_valid_credential_reach_a_consumer(string transport)
    {
        await using var bus = await CheckedBus.StartAsync(transport);

        await bus.PublishAsync(Heartbeat(NodeA, "unsigned"), node: null, credential: null);
        await bus.PublishAsync(Heartbeat(NodeA, "forged"), NodeA, AgentMessages.CredentialPrefix + "guessed");
        await bus.PublishAsync(Heartbeat(NodeA, "borrowed"), NodeB, bus.Credentials.Secrets[NodeB]);
        await bus.PublishAsync(Heartbeat(Revoked, "revoked"), Revoked, bus.Credentials.Secrets[Revoked]);
        await bus.PublishAsync(Heartbeat(NodeA, "valid"), NodeA, bus.Credentials.Secrets[NodeA]);

        await WaitUntil(() => bus.Received.Count >= 1 && bus.Audit.Records.Count >= 4);
        Assert.Equal(["valid"], bus.Received.Select(h => h.Node.Engine));
        Assert.Equal(
            [
                ("agent (unnamed)", "the message carries no agent credential"),
                ("agent node-a", "the credential is not node node-a's"),
                ("agent node-b", "the message speaks for node node-a but carries the credential of node node-b"),
                ("agent node-r", "the credential of node node-r was revoked"),
            ],
            bus.Audit.Records.Select(r => (r.User, r.Reason!)).Order());
        Assert.All(bus.Audit.Records, r => Assert.Equal((AuditActions.AgentRefused, AuditOutcome.Refused, nameof(NodeHeartbeat)), (r.Action, r.Outcome, r.Target)));
        Assert.DoesNotContain(bus.Audit.Records, r => r.Reason!.Contains(AgentMessages.CredentialPrefix, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task An_agents_answer_to_a_request_reaches_the_requester_only_with_its_nodes_valid_credential(string transport)
    {
        // `caas logs` asks the job's node for its output (ReadJobOutput); a forged answer would show made-up output.
        await using var bus = await CheckedBus.StartAsync(transport);
        var client = bus.RequestClient<ReadJobOutput>(AgentAddress.For(NodeA), TimeSpan.FromSeconds(5));
        var request = new ReadJobOutput(NodeA, "job-00000000a1", JobOutputStream.Stdout, From: null, TailLines: 10, MaxBytes: 4096);

        bus.Answers.Enqueue(("unsigned", null, null));
        await Assert.ThrowsAsync<RequestTimeoutException>(() => client.GetResponse<JobOutputRead>(request));
        bus.Answers.Enqueue(("borrowed", NodeB, bus.Credentials.Secrets[NodeB]));
        await Assert.ThrowsAsync<RequestTimeoutException>(() => client.GetResponse<JobOutputRead>(request));
        bus.Answers.Enqueue(("valid", NodeA, bus.Credentials.Secrets[NodeA]));
        var answer = await client.GetResponse<JobOutputRead>(request);

        Assert.Equal("valid", answer.Message.Text);
        await WaitUntil(() => bus.Audit.Records.Count >= 2);
        Assert.Equal(
            [
                ("agent (unnamed)", "the message carries no agent credential"),
                ("agent node-b", "the message speaks for node node-a but carries the credential of node node-b"),
            ],
            bus.Audit.Records.Select(r => (r.User, r.Reason!)).Order());
        Assert.All(bus.Audit.Records, r => Assert.Equal((AuditActions.AgentRefused, nameof(JobOutputRead)), (r.Action, r.Target)));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_heartbeat_whose_credential_cannot_be_checked_for_a_while_is_retried_not_dropped(string transport)
    {
        // The credential store is the cluster's PostgreSQL: while it restarts, a heartbeat must wait, as its recording does.
        await using var bus = await CheckedBus.StartAsync(transport);
        bus.Credentials.FailNext(3);

        await bus.PublishAsync(Heartbeat(NodeA, "while the store was away"), NodeA, bus.Credentials.Secrets[NodeA]);

        await WaitUntil(() => !bus.Received.IsEmpty);
        Assert.Equal(["while the store was away"], bus.Received.Select(h => h.Node.Engine));
        Assert.Empty(bus.Audit.Records);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task While_the_store_cannot_answer_a_credential_it_accepted_last_time_still_passes_and_no_other(string transport)
    {
        await using var bus = await CheckedBus.StartAsync(transport);
        await bus.PublishAsync(Heartbeat(NodeA, "before"), NodeA, bus.Credentials.Secrets[NodeA]);
        await WaitUntil(() => bus.Received.Count >= 1);

        // A long outage: no retry of the check ends within the test.
        bus.Credentials.FailNext(1000);
        await bus.PublishAsync(Heartbeat(NodeA, "during"), NodeA, bus.Credentials.Secrets[NodeA]);
        await bus.PublishAsync(Heartbeat(NodeB, "unchecked during"), NodeB, bus.Credentials.Secrets[NodeB]);
        await bus.PublishAsync(Heartbeat(NodeA, "guessed during"), NodeA, AgentMessages.CredentialPrefix + "guessed");
        await WaitUntil(() => bus.Received.Count >= 2);

        // Node B's credential was never accepted by this store, and the guess is not node A's: both wait for the store.
        Assert.Equal(["before", "during"], bus.Received.Select(h => h.Node.Engine));
        Assert.Empty(bus.Audit.Records);

        // Once it answers again, both are checked: node B's heartbeat passes, the guess is refused.
        bus.Credentials.FailNext(0);
        await WaitUntil(() => bus.Received.Count >= 3 && bus.Audit.Records.Count >= 1);
        Assert.Equal(["before", "during", "unchecked during"], bus.Received.Select(h => h.Node.Engine));
        Assert.Equal([("agent node-a", "the credential is not node node-a's")], bus.Audit.Records.Select(r => (r.User, r.Reason!)));
    }

    [Fact]
    public async Task An_unenrolled_agent_heartbeating_on_is_audited_once_a_minute_with_a_count_of_the_rest()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 6, 0, 0, TimeSpan.Zero));
        await using var bus = await CheckedBus.StartAsync("in-memory", clock);

        for (var i = 0; i < 5; i++)
            await bus.PublishAsync(Heartbeat("node-late", $"unsigned {i}"), "node-late", credential: null);
        await WaitUntil(() => bus.Audit.Records.Count >= 1);
        Assert.Equal([("agent node-late", "the message carries no agent credential")], bus.Audit.Records.Select(r => (r.User, r.Reason!)));

        clock.Advance(RefusalDamper.Interval);
        await bus.PublishAsync(Heartbeat("node-late", "a minute later"), "node-late", credential: null);
        await WaitUntil(() => bus.Audit.Records.Count >= 2);

        Assert.Equal(2, bus.Audit.Records.Count);
        Assert.Matches(@"^the message carries no agent credential \(and [1-5] more refusal\(s\) of this sender for this reason since 2026-11-27 06:00:00Z, not recorded one by one\)$",
            bus.Audit.Records.Last().Reason);
        Assert.Empty(bus.Received);
    }

    [Fact]
    public async Task Messages_that_are_not_agent_reports_pass_without_a_credential()
    {
        await using var bus = await CheckedBus.StartAsync("in-memory");

        await bus.PublishAsync(new RecoveryRequested(Guid.NewGuid(), "job-00000000a1", NodeA, 1, 0.5, "test", DateTimeOffset.UnixEpoch), node: null, credential: null);

        await WaitUntil(() => !bus.RecoveryRequests.IsEmpty);
        Assert.Empty(bus.Audit.Records);
    }

    private static NodeHeartbeat Heartbeat(string node, string marker) =>
        // The engine field carries a marker so the test can tell which heartbeat got through.
        new(new NodeStatus { NodeId = node, Engine = marker, JobSlots = 1 }, [], DateTimeOffset.UnixEpoch);

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the bus did not deliver within 60 s");
            await Task.Delay(50);
        }
        // Anything still in flight behind the last awaited message has had its chance to (wrongly) arrive.
        await Task.Delay(300);
    }

    private sealed class CheckedBus : IAsyncDisposable
    {
        private readonly ServiceProvider provider;
        private readonly RabbitMqTestVhost? vhost;

        private CheckedBus(ServiceProvider provider, RabbitMqTestVhost? vhost, Recorder recorder, FakeAgentCredentials credentials, InMemoryAuditTrail audit)
        {
            this.provider = provider;
            this.vhost = vhost;
            Received = recorder.Heartbeats;
            RecoveryRequests = recorder.Recoveries;
            Answers = recorder.Answers;
            Credentials = credentials;
            Audit = audit;
        }

        public FakeAgentCredentials Credentials { get; }
        /// <summary>What the stand-in agent answers the next ReadJobOutput with: the output's text, and how it signs it.</summary>
        public ConcurrentQueue<(string Text, string? Node, string? Credential)> Answers { get; }
        public InMemoryAuditTrail Audit { get; }
        public ConcurrentQueue<NodeHeartbeat> Received { get; }
        public ConcurrentQueue<RecoveryRequested> RecoveryRequests { get; }

        public static async Task<CheckedBus> StartAsync(string transport, TimeProvider? clock = null)
        {
            var vhost = transport == "rabbitmq" ? await RabbitMqTestVhost.CreateAsync() : null;
            var recorder = new Recorder();
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton(clock ?? TimeProvider.System);
            services.AddSingleton(recorder);
            services.AddOptions<AgentCredentialOptions>();
            var credentials = new FakeAgentCredentials(NodeA, NodeB, Revoked);
            var audit = new InMemoryAuditTrail();
            services.AddSingleton<IAgentCredentials>(credentials);
            services.AddSingleton<IAuditTrail>(audit);
            services.AddMassTransit(bus =>
            {
                // Retried as the platform retries reports (ReportRetry), quicker.
                bus.AddConsumer<HeartbeatConsumer>(new ReportRetry(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200), 20).ApplyTo);
                bus.AddConsumer<RecoveryConsumer>();
                bus.AddConsumer<OutputAnswerer>().Endpoint(e => e.Name = AgentAddress.QueueName(NodeA));
                if (vhost is not null)
                    bus.UsingRabbitMq((context, cfg) =>
                    {
                        vhost.Configure(cfg);
                        cfg.UseCaasAgentCredentialCheck(context);
                        cfg.ConfigureEndpoints(context);
                    });
                else
                    bus.UsingInMemory((context, cfg) =>
                    {
                        cfg.UseCaasAgentCredentialCheck(context);
                        cfg.ConfigureEndpoints(context);
                    });
            });
            var provider = services.BuildServiceProvider();
            await provider.GetRequiredService<IBusControl>().StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
            return new CheckedBus(provider, vhost, recorder, credentials, audit);
        }

        public IRequestClient<T> RequestClient<T>(Uri address, TimeSpan timeout) where T : class =>
            provider.GetRequiredService<IBus>().CreateRequestClient<T>(address, RequestTimeout.After(ms: (int)timeout.TotalMilliseconds));

        public Task PublishAsync<T>(T message, string? node, string? credential) where T : class =>
            provider.GetRequiredService<IBus>().Publish(message, context =>
            {
                if (node is not null)
                    context.Headers.Set(AgentMessages.NodeHeader, node);
                if (credential is not null)
                    context.Headers.Set(AgentMessages.CredentialHeader, credential);
            });

        public async ValueTask DisposeAsync()
        {
            // A check still waiting for the store would hold the bus's stop for its whole patience.
            Credentials.FailNext(0);
            await provider.GetRequiredService<IBusControl>().StopAsync();
            await provider.DisposeAsync();
            if (vhost is not null)
                await vhost.DisposeAsync();
        }
    }

    private sealed class Recorder
    {
        public ConcurrentQueue<NodeHeartbeat> Heartbeats { get; } = new();
        public ConcurrentQueue<RecoveryRequested> Recoveries { get; } = new();
        public ConcurrentQueue<(string Text, string? Node, string? Credential)> Answers { get; } = new();
    }

    /// <summary>Stands in for node-a's agent answering `caas logs`, signing each answer as <see cref="Recorder.Answers"/> says.</summary>
    private sealed class OutputAnswerer(Recorder recorder) : IConsumer<ReadJobOutput>
    {
        public Task Consume(ConsumeContext<ReadJobOutput> context)
        {
            if (!recorder.Answers.TryDequeue(out var answer))
                throw new InvalidOperationException("the test did not say how to answer");
            var read = context.Message;
            return context.RespondAsync(new JobOutputRead(read.NodeId, read.JobId, read.Stream, true, 0, answer.Text.Length, answer.Text.Length, answer.Text), send =>
            {
                if (answer.Node is not null)
                    send.Headers.Set(AgentMessages.NodeHeader, answer.Node);
                if (answer.Credential is not null)
                    send.Headers.Set(AgentMessages.CredentialHeader, answer.Credential);
            });
        }
    }

    private sealed class HeartbeatConsumer(Recorder recorder) : IConsumer<NodeHeartbeat>
    {
        public Task Consume(ConsumeContext<NodeHeartbeat> context)
        {
            recorder.Heartbeats.Enqueue(context.Message);
            return Task.CompletedTask;
        }
    }

    private sealed class RecoveryConsumer(Recorder recorder) : IConsumer<RecoveryRequested>
    {
        public Task Consume(ConsumeContext<RecoveryRequested> context)
        {
            recorder.Recoveries.Enqueue(context.Message);
            return Task.CompletedTask;
        }
    }

    /// <summary>Enrolled nodes with random credentials; <see cref="Revoked"/> is enrolled and revoked.</summary>
    private sealed class FakeAgentCredentials(params string[] nodes) : IAgentCredentials
    {
        public Dictionary<string, string> Secrets { get; } =
            nodes.ToDictionary(n => n, _ => AgentMessages.CredentialPrefix + Guid.NewGuid().ToString("N"));

        private int failures;

        /// <summary>The next <paramref name="count"/> checks fail as a store that cannot be reached does.</summary>
        public void FailNext(int count) => Interlocked.Exchange(ref failures, count);

        public Task<string?> CheckAsync(string nodeId, string credential, CancellationToken cancellationToken = default) =>
            Interlocked.Decrement(ref failures) >= 0 ? throw new TimeoutException("the credential store does not answer")
            : Task.FromResult(!Secrets.TryGetValue(nodeId, out var secret) ? $"node {nodeId} is not enrolled"
                : nodeId == Revoked ? $"the credential of node {nodeId} was revoked"
                : secret == credential ? null : $"the credential is not node {nodeId}'s");
    }

    private sealed class InMemoryAuditTrail : IAuditTrail
    {
        private readonly ConcurrentQueue<AuditRecord> records = new();

        public IReadOnlyList<AuditRecord> Records => records.ToArray();

        public Task RecordAsync(AuditRecord record, CancellationToken cancellationToken = default)
        {
            records.Enqueue(record);
            return Task.CompletedTask;
        }

        public Task<Page<AuditRecord>> ListAsync(AuditFilter filter, int skip, int take, CancellationToken cancellationToken = default) =>
            Task.FromResult(new Page<AuditRecord>(records.Skip(skip).Take(take).ToArray(), records.Count, skip, take));
    }
}
