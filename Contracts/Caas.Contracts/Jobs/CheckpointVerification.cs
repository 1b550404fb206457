namespace Caas.Contracts.Jobs;

/// <summary>What is known about whether a checkpoint restores.</summary>
public enum CheckpointVerification
{
    Unverified = 0,
    /// <summary>A test restore is under way.</summary>
    Verifying = 1,
    Verified = 2,
    Failed = 3,
}
