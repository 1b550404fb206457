namespace Caas.Contracts.Bus;

/// <summary>
/// What a <see cref="RankStep"/> does to one rank of a distributed job on the agent that holds it. A checkpoint is
/// Lock, Dump, then Unlock (or Stop); a restore is Prepare, Restore, Unlock (or Abandon on failure).
/// </summary>
public enum RankStepKind
{
    /// <summary>Drop every packet in and out of the rank's namespace; idempotent.</summary>
    Lock = 0,

    /// <summary>Write the rank's images under the agent's data directory as checkpoint <see cref="RankStep.Sequence"/>, leaving it running.</summary>
    Dump = 1,

    /// <summary>Let the rank's traffic flow again; idempotent.</summary>
    Unlock = 2,

    /// <summary>Kill the rank, wait for it to end and delete its namespace, so that its address is free to be restored.</summary>
    Stop = 3,

    /// <summary>Create a fresh namespace carrying <see cref="RankStep.Address"/>, locked.</summary>
    Prepare = 4,

    /// <summary>Restore the rank from this agent's images of checkpoint <see cref="RankStep.Sequence"/> into the prepared namespace.</summary>
    Restore = 5,

    /// <summary>Undo a prepare and restore: kill a restored rank and delete the namespace.</summary>
    Abandon = 6,
}
