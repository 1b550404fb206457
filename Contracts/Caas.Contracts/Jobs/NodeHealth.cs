namespace Caas.Contracts.Jobs;

/// <summary>How far the platform trusts a node agent, by its heartbeats.</summary>
public enum NodeHealth
{
    /// <summary>Heartbeating on time; offered for placement.</summary>
    Live = 0,
    /// <summary>Silent for longer than three of its heartbeat intervals.</summary>
    Lost = 1,
    /// <summary>Heartbeating again after it was lost, but not yet for long enough to be trusted; not offered for placement.</summary>
    Returning = 2,
}
