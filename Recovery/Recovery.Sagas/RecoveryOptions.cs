namespace Caas.Recovery.Sagas;

/// <summary>How long recovery waits for each step before it retries or gives up on an incident.</summary>
public sealed record RecoveryOptions
{
    /// <summary>From sending RestoreJob to the agent's RestoreCompleted.</summary>
    public TimeSpan RestoreTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>From RestoreCompleted to monitoring's RestoreVerified (progress at least the checkpoint's).</summary>
    public TimeSpan VerifyTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>From asking monitoring for a node to its answer; an unanswered attempt counts as one that found none.</summary>
    public TimeSpan PlacementTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait before asking again when no node fits (capacity may free, a node may come back).</summary>
    public TimeSpan PlacementRetryDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Placement attempts before the incident gives up with the last reason no node fitted.</summary>
    public int PlacementAttempts { get; init; } = 8;

    /// <summary>From sending TransferCheckpoint to the target's CheckpointTransferred.</summary>
    public TimeSpan TransferTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <exception cref="ArgumentOutOfRangeException">A timeout is not positive, or no placement attempt is allowed.</exception>
    public RecoveryOptions Validated()
    {
        RequirePositive(RestoreTimeout, nameof(RestoreTimeout), "Restore timeout");
        RequirePositive(VerifyTimeout, nameof(VerifyTimeout), "Verify timeout");
        RequirePositive(PlacementTimeout, nameof(PlacementTimeout), "Placement timeout");
        RequirePositive(PlacementRetryDelay, nameof(PlacementRetryDelay), "Placement retry delay");
        RequirePositive(TransferTimeout, nameof(TransferTimeout), "Transfer timeout");
        if (PlacementAttempts < 1)
            throw new ArgumentOutOfRangeException(nameof(PlacementAttempts), PlacementAttempts, "At least one placement attempt is needed.");
        return this;
    }

    private static void RequirePositive(TimeSpan value, string name, string said)
    {
        if (value <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(name, value, $"{said} must be positive.");
    }
}
