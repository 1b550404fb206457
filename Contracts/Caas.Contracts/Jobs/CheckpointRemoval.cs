namespace Caas.Contracts.Jobs;

/// <summary>Who removed a checkpoint bundle.</summary>
public enum CheckpointRemoval
{
    /// <summary>An operator deleted it.</summary>
    Operator = 0,
    /// <summary>The agent's retention rules pruned it.</summary>
    Retention = 1,
}
