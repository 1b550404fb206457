using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using Caas.Contracts.Events;
using Caas.Contracts.Jobs;
using Caas.Monitoring.EventStore;
using Caas.Monitoring.Grains.ReadModels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Nodes;

/// <summary>
/// Which jobs run on which node, folded from the job streams of $all by the silo itself, so node-loss recovery needs no
/// web host (whose read models may be down or absent in a split cluster). In memory only: every start folds from the
/// first event, which is the truth, and is <see cref="CaughtUp"/> once it reached the head it saw at start.
/// Heartbeats and progress reports (nearly every event of a busy silo) never change where a job runs nor whether it
/// runs, so they are passed over unread (the store does not even send their data): folding them cost a second read and
/// deserialization of every sample the silo ingests.
/// </summary>
public sealed class NodeJobsFeed(IEventStore store, EventSerializer serializer, ILogger<NodeJobsFeed> logger) : BackgroundService
{
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(1);
    /// <summary>Stored names of the job events that move neither a job's node nor its status.</summary>
    private static readonly FrozenSet<string> Samples = new[]
    {
        typeof(HeartbeatRecorded).GetCustomAttribute<EventTypeAttribute>()!.Name,
        typeof(ProgressReported).GetCustomAttribute<EventTypeAttribute>()!.Name,
    }.ToFrozenSet(StringComparer.Ordinal);

    private readonly JobListProjection _jobs = new();
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _head;

    /// <summary>Completes once every event present at start is folded in; before that a job on a lost node could be missed.</summary>
    public Task CaughtUp => _caughtUp.Task;

    /// <summary>The position in $all of the last event read, of a job's stream or not.</summary>
    public long Position => Interlocked.Read(ref _seen);

    private long _seen;

    /// <summary>
    /// Waits, in real time and briefly (the feed is live, so it is moments behind), until every event the store holds now
    /// is read. False when <paramref name="patience"/> ran out first.
    /// </summary>
    public async Task<bool> ReachedHeadAsync(TimeSpan patience, CancellationToken cancellationToken)
    {
        var head = await store.ReadHeadPositionAsync(cancellationToken);
        var deadline = DateTime.UtcNow + patience;
        while (Position < head)
        {
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(20, cancellationToken);
        }
        return true;
    }

    /// <summary>Jobs queued for or running on <paramref name="nodeId"/>.</summary>
    public IReadOnlyList<string> OnNode(string nodeId) => _jobs.OnNode(nodeId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                _head = await store.ReadHeadPositionAsync(stoppingToken);
                if (Position >= _head)
                    _caughtUp.TrySetResult();
                // After the last event read, folded or passed over, so nothing is folded twice when the feed resumes.
                await store.SubscribeToAllAsync(Position + 1, Samples, ApplyAsync, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                // The store is away (a database restart): resume after the last event folded once it answers.
                logger.LogWarning(error, "The silo's job feed stopped; resuming in {Pause}", Pause);
                await Task.Delay(Pause, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private ValueTask ApplyAsync(RecordedEvent recorded, CancellationToken cancellationToken)
    {
        if (JobIds.IsValid(recorded.Stream) && !Samples.Contains(recorded.Type))
        {
            try
            {
                _jobs.Apply(serializer.Deserialize(recorded), recorded.Position);
            }
            catch (Exception error) when (error is UnknownEventTypeException or JsonException)
            {
                logger.LogError(error, "Skipped event {Position} of stream {Stream}", recorded.Position, recorded.Stream);
            }
        }
        Interlocked.Exchange(ref _seen, recorded.Position);
        if (recorded.Position >= _head)
            _caughtUp.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
