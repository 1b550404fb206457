using Caas.Contracts.Events;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains;
using Caas.Monitoring.Grains.Alerts;
using Caas.Monitoring.Grains.ReadModels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Caas.Monitoring.Tests;

/// <summary>
/// The read models' feed over a real store: it saves each projection's state with its position, a restart resumes
/// after them (not from position 0) and folds what was appended while it was down, and a rebuild starts over from 0.
/// </summary>
public abstract class ProjectionCheckpointTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly EventSerializer _serializer = new();

    /// <summary>Registers the backend's event store on the same data every time.</summary>
    protected abstract void AddStore(IServiceCollection services);

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    [Fact]
    public async Task A_restart_resumes_after_the_saved_positions_and_folds_what_was_appended_while_it_was_down()
    {
        var first = new JobEvents("job-00000000a1", T0);
        var second = new JobEvents("job-00000000b2", T0.AddMinutes(1));
        long savedHead;
        int alertEvents;
        await using (var feed = await FeedHost.StartAsync(AddStore))
        {
            await feed.AppendAsync(first.JobId, first.Submitted(), first.Placed(), first.Started(1), first.CheckpointTaken(5, 1, 0.2),
                first.Stalled(40, Guid.NewGuid(), 5));
            savedHead = await feed.WaitUntilSavedAtHeadAsync();
            Assert.Equal([1L], feed.Store.SubscribedFrom);
            alertEvents = (await feed.Store.ReadStreamAsync("alert-stalled-" + first.JobId, 0, 10)).Count;
            Assert.NotEqual(0, alertEvents);
        }

        await using (var down = await FeedHost.OpenStoreAsync(AddStore))
            await down.AppendAsync(second.JobId, second.Submitted(), second.Placed(), second.Started(1), second.CheckpointTaken(3, 1, 0.5));

        await using (var feed = await FeedHost.StartAsync(AddStore))
        {
            var head = await feed.WaitUntilSavedAtHeadAsync();

            Assert.Equal([savedHead + 1], feed.Store.SubscribedFrom);
            Assert.Equal(savedHead + 4, head);
            Assert.Equal([second.JobId, first.JobId], feed.Jobs.List(0, 10, null).Items.Select(j => j.JobId));
            Assert.Equal([(second.JobId, 1), (first.JobId, 1)], feed.Checkpoints.List(new CheckpointCatalogFilter(), 0, 10).Items.Select(c => (c.JobId, c.Sequence)));
            var stall = Assert.Single(feed.Alerts.List(null, false, 0, 10, T0.AddHours(1)).Items);
            Assert.Equal(("stalled-" + first.JobId, first.JobId), (stall.Id, stall.JobId));
            // The stall's alert was recorded before the restart; resuming decided nothing again.
            Assert.Equal(alertEvents, (await feed.Store.ReadStreamAsync("alert-" + stall.Id, 0, 10)).Count);
        }
    }

    [Fact]
    public async Task A_rebuild_folds_the_named_projection_and_those_it_reads_again_from_position_0()
    {
        var job = new JobEvents("job-00000000c3", T0);
        await using var feed = await FeedHost.StartAsync(AddStore);
        await feed.AppendAsync(job.JobId, job.Submitted(), job.Placed(), job.Started(1), job.CheckpointTaken(5, 1, 0.2), job.CheckpointTaken(9, 2, 0.4));
        var head = await feed.WaitUntilSavedAtHeadAsync();

        var started = await feed.Projections.RebuildAsync(CheckpointCatalogProjection.ProjectionName);

        Assert.Equal([CheckpointCatalogProjection.ProjectionName, JobListProjection.ProjectionName], started.Select(v => v.Name).Order());
        Assert.All(started, v => Assert.Equal(head, v.RebuildTarget));
        Assert.Equal(head, await feed.WaitUntilSavedAtHeadAsync());
        Assert.Equal([1L, 1L], feed.Store.SubscribedFrom);
        Assert.Equal([2, 1], feed.Checkpoints.List(new CheckpointCatalogFilter(), 0, 10).Items.Select(c => c.Sequence));
        Assert.Equal(job.JobId, Assert.Single(feed.Jobs.List(0, 10, null).Items).JobId);
        Assert.All(await feed.Projections.ListProjectionsAsync(), v => Assert.Equal((head, 0L, false), (v.Position, v.Lag, v.Rebuilding)));
    }

    [Fact]
    public async Task Rebuilding_a_projection_that_does_not_exist_is_refused_and_changes_nothing()
    {
        var job = new JobEvents("job-00000000d4", T0);
        await using var feed = await FeedHost.StartAsync(AddStore);
        await feed.AppendAsync(job.JobId, job.Submitted());
        var head = await feed.WaitUntilSavedAtHeadAsync();

        var refused = await Assert.ThrowsAsync<OperationRejectedException>(() => feed.Projections.RebuildAsync("jobz"));

        Assert.Equal((RejectionKind.NotFound, "No projection is named 'jobz'; there are alerts, checkpoints, jobs."), (refused.Kind, refused.Message));
        Assert.All(await feed.Projections.ListProjectionsAsync(), v => Assert.Equal((head, head), (v.Position, v.SavedPosition)));
        Assert.Equal([1L], feed.Store.SubscribedFrom);
    }

    /// <summary>The monitoring services without a silo: a real store, the projections and their feed, started by hand.</summary>
    private sealed class FeedHost : IAsyncDisposable
    {
        private readonly ServiceProvider _provider;
        private readonly ProjectionFeed? _feed;

        private FeedHost(ServiceProvider provider, bool start)
        {
            _provider = provider;
            Store = provider.GetRequiredService<SubscriptionRecordingStore>();
            if (start)
                _feed = provider.GetRequiredService<ProjectionFeed>();
        }

        public SubscriptionRecordingStore Store { get; }
        public IProjectionOperations Projections => _provider.GetRequiredService<IProjectionOperations>();
        public JobListProjection Jobs => _provider.GetRequiredService<JobListProjection>();
        public CheckpointCatalogProjection Checkpoints => _provider.GetRequiredService<CheckpointCatalogProjection>();
        public AlertLifecycle Alerts => _provider.GetRequiredService<AlertLifecycle>();

        public static async Task<FeedHost> StartAsync(Action<IServiceCollection> addStore)
        {
            var host = new FeedHost(Build(addStore), start: true);
            await host._feed!.StartAsync(CancellationToken.None);
            return host;
        }

        public static Task<FeedHost> OpenStoreAsync(Action<IServiceCollection> addStore) => Task.FromResult(new FeedHost(Build(addStore), start: false));

        private static ServiceProvider Build(Action<IServiceCollection> addStore)
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
            addStore(services);
            var backend = services.Single(d => d.ServiceType == typeof(IEventStore));
            services.Remove(backend);
            services.RemoveAll<IProjectionCheckpoints>();
            services.AddSingleton(provider => new SubscriptionRecordingStore((IEventStore)backend.ImplementationFactory!(provider)));
            services.AddSingleton<IEventStore>(provider => provider.GetRequiredService<SubscriptionRecordingStore>());
            services.AddSingleton<IProjectionCheckpoints>(provider => provider.GetRequiredService<SubscriptionRecordingStore>());
            services.AddCaasMonitoring();
            return services.BuildServiceProvider();
        }

        public async Task AppendAsync(string jobId, params IJobEvent[] events)
        {
            var serializer = _provider.GetRequiredService<EventSerializer>();
            var stored = await Store.ReadStreamBackwardAsync(jobId, StreamPosition.End, 1);
            var next = stored.Count == 0 ? 0 : stored[0].Version + 1;
            await Store.AppendAsync(jobId, next - 1, events.Select((e, i) => serializer.ToEventData(jobId, next + i, e)).ToArray());
        }

        /// <summary>Waits until every projection has folded and saved the store's head (which alert events may move), and returns it.</summary>
        public async Task<long> WaitUntilSavedAtHeadAsync()
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                var head = await Store.ReadHeadPositionAsync();
                var views = await Projections.ListProjectionsAsync();
                if (views.All(v => v.Position == head && v.SavedPosition == head && !v.Rebuilding) && head == await Store.ReadHeadPositionAsync())
                    return head;
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"The projections did not save the head {head} within 30 s: {string.Join(", ", views)}");
                await Task.Delay(50);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_feed is not null)
                await _feed.StopAsync(CancellationToken.None);
            await _provider.DisposeAsync();
        }
    }
}

[Trait("Category", "Integration")]
public sealed class SqliteProjectionCheckpointTests : ProjectionCheckpointTests
{
    private readonly TempDirectory _directory = new();

    protected override void AddStore(IServiceCollection services) => services.AddCaasSqliteEventStore(_directory.File("events.db"));

    public override Task InitializeAsync() => Task.CompletedTask;

    public override Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }
}

[Trait("Category", "Integration")]
public sealed class PostgresProjectionCheckpointTests : ProjectionCheckpointTests
{
    private PostgresTestSchema _schema = null!;

    protected override void AddStore(IServiceCollection services) => services.AddCaasPostgresEventStore(_schema.ConnectionString);

    public override async Task InitializeAsync() => _schema = await PostgresTestSchema.CreateAsync();

    public override async Task DisposeAsync() => await _schema.DisposeAsync();
}
