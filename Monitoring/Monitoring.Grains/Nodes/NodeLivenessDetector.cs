using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Grains.Nodes;

/// <summary>
/// Decides, from node heartbeats and the clock, which nodes are live, with hysteresis:
/// <list type="bullet">
/// <item>a node silent for longer than three of its heartbeat intervals (<see cref="LostAfterFor"/>) is lost, as of the
/// moment its silence reached that timeout;</item>
/// <item>a lost node that heartbeats again is Returning, not live: it is back only after six of its intervals
/// (<see cref="ProbationFor"/>) without such a silence, so a node that just rebooted or rejoined a partition is trusted again only once it holds;</item>
/// <item>a node is announced back at most once per <see cref="FlapWindow"/>. Every loss after the first follows a
/// back, so however often a node flaps it raises at most one lost/back pair per window; in between it stays lost.</item>
/// </list>
/// Transitions are computed for the exact times they became due, whenever the detector next looks, so the outcome does
/// not depend on how often it is asked. Silence counts only while the platform could hear (<see cref="IPlatformHearing"/>):
/// while it cannot, nothing changes, and once it hears again a node has the hearing's reconnect allowance and then its
/// whole timeout to speak up.
/// </summary>
public sealed class NodeLivenessDetector(TimeProvider time, IPlatformHearing? hearing = null)
{
    private readonly IPlatformHearing _hearing = hearing ?? AlwaysHearing.Instance;

    /// <summary>
    /// For an agent that does not say its interval, assume the longest one deployed: a shorter real interval only
    /// makes detection slower, never raises a false loss.
    /// </summary>
    public static readonly TimeSpan AssumedHeartbeatInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan LostAfter = LostAfterFor(TimeSpan.Zero);
    public static readonly TimeSpan Probation = ProbationFor(TimeSpan.Zero);

    /// <param name="heartbeatInterval">The node's own interval; zero or less when unknown.</param>
    public static TimeSpan LostAfterFor(TimeSpan heartbeatInterval) => NodeLeaseRules.LostAfter(IntervalOrAssumed(heartbeatInterval));

    public static TimeSpan ProbationFor(TimeSpan heartbeatInterval) => 6 * IntervalOrAssumed(heartbeatInterval);

    private static TimeSpan IntervalOrAssumed(TimeSpan interval) => interval > TimeSpan.Zero ? interval : AssumedHeartbeatInterval;
    public static readonly TimeSpan FlapWindow = TimeSpan.FromMinutes(5);
    public const int ChangesKept = 1000;

    private readonly Dictionary<string, Tracked> _nodes = new(StringComparer.Ordinal);
    private readonly Queue<NodeLivenessChange> _changes = new();
    private readonly List<NodeLivenessChange> _unannounced = [];

    /// <param name="heartbeatInterval">The interval the node says it heartbeats at; zero when it does not say.</param>
    /// <returns>The node's health after this heartbeat.</returns>
    public NodeHealth RecordHeartbeat(string nodeId, TimeSpan heartbeatInterval = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        var now = time.GetUtcNow();
        if (!_nodes.TryGetValue(nodeId, out var node))
        {
            // A node first heard of has no history of failing: it is live at once.
            _nodes[nodeId] = new Tracked(nodeId) { Health = NodeHealth.Live, LastSeenAt = now, Since = now, Interval = heartbeatInterval };
            return NodeHealth.Live;
        }
        Advance(node, now);
        // Judged by the interval it had while silent; from now on by the one it says it has.
        node.Interval = heartbeatInterval;
        if (node.Health == NodeHealth.Lost)
        {
            node.Health = NodeHealth.Returning;
            node.Since = now;
        }
        node.LastSeenAt = now;
        return node.Health;
    }

    /// <summary>
    /// Takes back what a previous run of the directory recorded, without announcing it again: a lost node stays lost
    /// (it must heartbeat through probation to be back); a live one is trusted as if just heard from, so it is found
    /// lost if it stays silent for its timeout from now (it may have died while no directory watched).
    /// </summary>
    public void Restore(string nodeId, NodeHealth health, DateTimeOffset since)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        if (_nodes.ContainsKey(nodeId))
            return;
        var now = time.GetUtcNow();
        _nodes[nodeId] = health == NodeHealth.Lost
            ? new Tracked(nodeId) { Health = NodeHealth.Lost, LastSeenAt = since, Since = since }
            : new Tracked(nodeId) { Health = NodeHealth.Live, LastSeenAt = now, Since = since };
    }

    public bool Knows(string nodeId) => _nodes.ContainsKey(nodeId);

    /// <returns>Null for a node never heard of.</returns>
    public NodeHealth? HealthOf(string nodeId)
    {
        if (!_nodes.TryGetValue(nodeId, out var node))
            return null;
        Advance(node, time.GetUtcNow());
        return node.Health;
    }

    public IReadOnlyList<NodeLiveness> List()
    {
        var now = time.GetUtcNow();
        return _nodes.Values
            .Select(node =>
            {
                Advance(node, now);
                return new NodeLiveness
                {
                    NodeId = node.NodeId, Health = node.Health, LastSeenAt = node.LastSeenAt, Since = node.Since,
                    LiveFrom = node.Health == NodeHealth.Returning ? BackDue(node) : null,
                };
            })
            .OrderBy(n => n.NodeId, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Brings every node up to now.</summary>
    /// <returns>Transitions found since the last call, oldest first, for the caller to announce.</returns>
    public IReadOnlyList<NodeLivenessChange> Evaluate()
    {
        AdvanceAll();
        var found = _unannounced.OrderBy(c => c.At).ThenBy(c => c.NodeId, StringComparer.Ordinal).ToArray();
        _unannounced.Clear();
        return found;
    }

    /// <summary>Announced transitions, oldest first.</summary>
    public IReadOnlyList<NodeLivenessChange> Changes()
    {
        AdvanceAll();
        return _changes.ToArray();
    }

    private void AdvanceAll()
    {
        var now = time.GetUtcNow();
        foreach (var node in _nodes.Values)
            Advance(node, now);
    }

    private void Advance(Tracked node, DateTimeOffset now)
    {
        if (_hearing.HearingSince is not { } hearingSince)
            return;
        while (true)
        {
            // Heard since the platform could hear again (always so while it never stopped hearing): its own silence counts.
            var silentFrom = node.LastSeenAt >= hearingSince
                ? node.LastSeenAt
                : hearingSince + _hearing.ReconnectAllowance;
            var lostAt = silentFrom + LostAfterFor(node.Interval);
            switch (node.Health)
            {
                case NodeHealth.Live when now > lostAt:
                    node.Health = NodeHealth.Lost;
                    node.Since = lostAt;
                    Announce(new NodeLivenessChange(node.NodeId, NodeHealth.Lost, lostAt));
                    continue;
                case NodeHealth.Returning when BackDue(node) is var backAt && backAt <= now && backAt <= lostAt:
                    node.Health = NodeHealth.Live;
                    node.Since = backAt;
                    node.LastBackAt = backAt;
                    Announce(new NodeLivenessChange(node.NodeId, NodeHealth.Live, backAt));
                    continue;
                case NodeHealth.Returning when now > lostAt:
                    // It never counted as back, so falling silent again is no news: it simply stays lost.
                    node.Health = NodeHealth.Lost;
                    node.Since = lostAt;
                    continue;
                default:
                    return;
            }
        }
    }

    private static DateTimeOffset BackDue(Tracked node)
    {
        var held = node.Since + ProbationFor(node.Interval);
        return node.LastBackAt is { } lastBack && lastBack + FlapWindow > held ? lastBack + FlapWindow : held;
    }

    private void Announce(NodeLivenessChange change)
    {
        _unannounced.Add(change);
        _changes.Enqueue(change);
        while (_changes.Count > ChangesKept)
            _changes.Dequeue();
    }

    private sealed class Tracked(string nodeId)
    {
        public string NodeId { get; } = nodeId;
        public NodeHealth Health { get; set; }
        public DateTimeOffset LastSeenAt { get; set; }
        public DateTimeOffset Since { get; set; }
        public DateTimeOffset? LastBackAt { get; set; }
        public TimeSpan Interval { get; set; }
    }
}
