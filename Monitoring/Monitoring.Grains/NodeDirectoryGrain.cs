using Caas.Contracts.Policies;
using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Monitoring.Grains.Nodes;
using Caas.Monitoring.Grains.Policies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains;

/// <summary>
/// The node agents, their liveness, drains, and placement over them (rules in <see cref="NodePlacement"/>).
/// What agents report lives in memory: they heartbeat every few seconds, so after a restart the directory is complete
/// again within one interval. Drains are operator decisions and are journaled (<see cref="NodeDrainJournal"/>), so a
/// drained node stays drained across restarts; so are liveness decisions (<see cref="NodeLivenessJournal"/>), so a
/// lost node stays lost and a node that died while no directory ran is still found lost; the same journal gives each
/// node's first registration and losses, so pool reliability (<see cref="PoolReliability"/>) survives restarts too.
/// </summary>
public sealed class NodeDirectoryGrain(
    [FromKeyedServices(MonitoringClock.Key)] TimeProvider time,
    NodeDrainJournal drains,
    NodeLivenessJournal liveness,
    IPlatformHearing hearing,
    ILogger<NodeDirectoryGrain> logger)
    : Grain, INodeDirectoryGrain, INodeLivenessGrain, IPoolReliabilityGrain
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);

    private readonly NodeRoster _roster = new(time, hearing);
    private long _drainsVersion;
    /// <summary>When each node was first heard of (from the liveness journal, so across restarts): the node time a pool's failure rate is measured over.</summary>
    private readonly Dictionary<string, DateTimeOffset> _firstHeardAt = new(StringComparer.Ordinal);
    /// <summary>How many times each node was lost, from the liveness journal and then as losses are announced (the roster keeps only recent changes).</summary>
    private readonly Dictionary<string, int> _losses = new(StringComparer.Ordinal);
    private long _livenessVersion;
    /// <summary>Liveness facts decided but not yet in the journal (a failed append is tried again on the next look).</summary>
    private readonly List<NodeFact> _unjournaled = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        var (drained, version) = await drains.Read(cancellationToken);
        foreach (var nodeId in drained)
            _roster.SetDrained(nodeId, true);
        _drainsVersion = version;
        var (known, history, livenessVersion) = await liveness.ReadWithHistory(cancellationToken);
        foreach (var (nodeId, (health, since)) in known)
            _roster.Liveness.Restore(nodeId, health, since);
        foreach (var (nodeId, node) in history)
        {
            _firstHeardAt[nodeId] = node.FirstHeardAt;
            _losses[nodeId] = node.Losses;
        }
        _livenessVersion = livenessVersion;
        // Losses are found by the clock, not by a message, so someone must look even when no agent speaks.
        this.RegisterGrainTimer(Watch, new GrainTimerCreationOptions(WatchInterval, WatchInterval) { KeepAlive = true });
    }

    public async Task RecordHeartbeat(NodeStatus node)
    {
        var firstHeard = node is { NodeId: { } id } && !_roster.Liveness.Knows(id);
        _roster.RecordHeartbeat(node);
        _firstHeardAt.TryAdd(node.NodeId, time.GetUtcNow());
        if (firstHeard)
            _unjournaled.Add(new NodeFact(NodeLivenessJournal.RegisteredType, node.NodeId, time.GetUtcNow()));
        await Announce();
    }

    public Task<IReadOnlyList<NodeStatus>> List() => Task.FromResult(_roster.List());

    public Task<PlacementDecision> Choose(JobSpec spec) => ChooseExcept(spec, []);

    public async Task<PlacementDecision> ChooseExcept(JobSpec spec, IReadOnlyCollection<string> excludedNodeIds)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(excludedNodeIds);
        var decision = _roster.Choose(spec, excludedNodeIds);
        await Announce();
        return decision;
    }

    public async Task<RankPlacementDecision> ChooseRanks(JobSpec spec, int ranks, IReadOnlyCollection<string> excludedNodeIds)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(excludedNodeIds);
        var decision = _roster.ChooseRanks(spec, ranks, excludedNodeIds);
        await Announce();
        return decision;
    }

    public async Task<PlacementDecision> ChooseForRecovery(JobSpec spec, IReadOnlyCollection<string> excludedNodeIds, RecoveryTargets? targets, CheckpointInfo? image)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(excludedNodeIds);
        var decision = _roster.ChooseForRecovery(spec, excludedNodeIds, targets, image);
        await Announce();
        return decision;
    }

    public Task<PlacementDecision> ChooseCopyHolder(JobSpec spec, string sourceNodeId)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Task.FromResult(_roster.Choose(spec, [sourceNodeId], reserve: false));
    }

    public Task<NodeStatus> Drain(string nodeId) => SetDrained(nodeId, drained: true);

    public Task<NodeStatus> Undrain(string nodeId) => SetDrained(nodeId, drained: false);

    public Task<IReadOnlyList<NodeLiveness>> Liveness() => Task.FromResult(_roster.Liveness.List());

    public Task<IReadOnlyList<NodeLivenessChange>> Changes() => Task.FromResult(_roster.Liveness.Changes());

    public async Task<PoolReliability> Reliability(string pool)
    {
        // Losses the roster has decided but not yet announced are counted (and journaled) first.
        await Announce();
        var now = time.GetUtcNow();
        var nodes = _roster.List().Where(n => n.Pool == pool).Select(n => n.NodeId).ToHashSet(StringComparer.Ordinal);
        var nodeTime = nodes.Aggregate(TimeSpan.Zero, (sum, id) => sum + (_firstHeardAt.TryGetValue(id, out var first) ? now - first : TimeSpan.Zero));
        var failures = nodes.Sum(id => _losses.GetValueOrDefault(id));
        return new PoolReliability(pool, nodeTime, failures);
    }

    public Task<string?> PoolOf(string nodeId) => Task.FromResult(_roster.Find(nodeId)?.Pool);

    private async Task<NodeStatus> SetDrained(string nodeId, bool drained)
    {
        if (string.IsNullOrWhiteSpace(nodeId) || !_roster.Knows(nodeId))
            throw new OperationRejectedException(RejectionKind.NotFound, $"No node agent '{nodeId}' has registered; the nodes are listed at /api/v1/nodes.");
        if (_roster.Find(nodeId)!.Drained != drained)
        {
            // Recorded before it takes effect, so a drain that was answered is one that a restart keeps.
            _drainsVersion = await drains.Append(_drainsVersion, nodeId, drained, time.GetUtcNow());
            _roster.SetDrained(nodeId, drained);
            logger.LogInformation(drained ? "Node {NodeId} drained: it takes no new jobs" : "Node {NodeId} undrained: it takes new jobs again", nodeId);
        }
        return _roster.Find(nodeId)!;
    }

    private Task Watch(CancellationToken cancellationToken) => Announce();

    private async Task Announce()
    {
        foreach (var change in _roster.Liveness.Evaluate())
        {
            _unjournaled.Add(new NodeFact(change.Health == NodeHealth.Lost ? NodeLivenessJournal.LostType : NodeLivenessJournal.BackType, change.NodeId, change.At));
            var interval = _roster.HeartbeatIntervalOf(change.NodeId);
            if (change.Health == NodeHealth.Lost)
            {
                _losses[change.NodeId] = _losses.GetValueOrDefault(change.NodeId) + 1;
                logger.LogWarning("Node {NodeId} lost: no heartbeat for {Timeout} as of {At}", change.NodeId, NodeLivenessDetector.LostAfterFor(interval), change.At);
            }
            else
                logger.LogInformation("Node {NodeId} is back: heartbeating for {Probation} as of {At}", change.NodeId, NodeLivenessDetector.ProbationFor(interval), change.At);
        }
        await Journal();
    }

    private async Task Journal()
    {
        try
        {
            while (_unjournaled.Count > 0)
            {
                var fact = _unjournaled[0];
                _livenessVersion = await liveness.Append(_livenessVersion, fact.Type, fact.NodeId, fact.At);
                _unjournaled.RemoveAt(0);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // Another directory activation may have written meanwhile: the next look appends after its version.
            logger.LogWarning(error, "Recording node liveness failed; {Count} facts wait for the next look", _unjournaled.Count);
            try
            {
                _livenessVersion = (await liveness.Read()).Version;
            }
            catch (Exception readError) when (readError is not OperationCanceledException)
            {
                logger.LogDebug(readError, "Reading the node liveness journal failed too");
            }
        }
    }
}
