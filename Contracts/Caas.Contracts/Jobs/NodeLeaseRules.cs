namespace Caas.Contracts.Jobs;

/// <summary>
/// The timing both sides of fencing rely on. The platform declares a node lost (and may restore its jobs elsewhere)
/// only after the node was silent for <see cref="LostAfterIntervals"/> of its heartbeat intervals; an agent with a lease
/// kills its jobs once it could not reach the platform for that lease, which must therefore be shorter: then a job the
/// platform restores elsewhere is already dead on the node it was lost with.
/// </summary>
public static class NodeLeaseRules
{
    public const int LostAfterIntervals = 3;

    /// <summary>How long a node heartbeating every <paramref name="heartbeatInterval"/> may be silent before it is lost.</summary>
    public static TimeSpan LostAfter(TimeSpan heartbeatInterval) => LostAfterIntervals * heartbeatInterval;

    /// <returns>Null when <paramref name="lease"/> fences in time for a node with that interval, else why not.</returns>
    public static string? ProblemWith(TimeSpan lease, TimeSpan heartbeatInterval) =>
        lease < heartbeatInterval ? $"the lease ({lease}) must be at least one heartbeat interval ({heartbeatInterval}), or one late heartbeat ends every job"
        : lease >= LostAfter(heartbeatInterval) ? $"the lease ({lease}) must be shorter than the platform's node-lost timeout ({LostAfter(heartbeatInterval)}: {LostAfterIntervals} heartbeat intervals), or a job may be restored elsewhere while it still runs here"
        : null;
}
