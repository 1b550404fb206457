namespace Caas.Contracts.Policies;

/// <summary>What a policy decided to do about an incident.</summary>
public enum RecoveryAction
{
    /// <summary>Nothing beyond the alert; the decision says why.</summary>
    None = 0,
    /// <summary>Restore from the newest checkpoint on the node that holds it (the job's own node, usually).</summary>
    RestartInPlace = 1,
    /// <summary>Restore from the newest checkpoint on another node (<see cref="RecoveryTargets"/> says which are acceptable).</summary>
    MoveToOtherNode = 2,
    /// <summary>Restore from the newest checkpoint on a node of another pool.</summary>
    MoveToOtherPool = 3,
}
