namespace Caas.Recovery.Sagas;

/// <summary>How long recovery waits for each step before it gives up on an incident.</summary>
public sealed record RecoveryOptions
{
    /// <summary>From sending RestoreJob to the agent's RestoreCompleted.</summary>
    public TimeSpan RestoreTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>From RestoreCompleted to monitoring's RestoreVerified (progress at least the checkpoint's).</summary>
    public TimeSpan VerifyTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <exception cref="ArgumentOutOfRangeException">A timeout is not positive.</exception>
    public RecoveryOptions Validated()
    {
        if (RestoreTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(RestoreTimeout), RestoreTimeout, "Restore timeout must be positive.");
        if (VerifyTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(VerifyTimeout), VerifyTimeout, "Verify timeout must be positive.");
        return this;
    }
}
