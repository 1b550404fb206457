namespace Caas.Recovery.Sagas.Scheduling;

/// <summary>How the scheduled-message dispatcher paces itself. All spans are on the host's <see cref="TimeProvider"/>.</summary>
public sealed record DispatcherOptions
{
    /// <summary>Longest wait between two looks at the store: bounds how late a message scheduled by another process goes out.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a claim keeps other dispatchers off a message; after it, a dispatcher that died while sending is taken over.</summary>
    public TimeSpan ClaimLease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a message whose send failed waits before it is tried again.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most messages claimed in one statement.</summary>
    public int BatchSize { get; init; } = 50;

    /// <summary>How long sent and cancelled messages are kept, for people looking into an incident.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(7);

    /// <exception cref="ArgumentOutOfRangeException">A span or the batch size is not positive.</exception>
    public DispatcherOptions Validated()
    {
        foreach (var (name, value) in new[] { (nameof(PollInterval), PollInterval), (nameof(ClaimLease), ClaimLease), (nameof(RetryDelay), RetryDelay), (nameof(Retention), Retention) })
        {
            if (value <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
        }
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Batch size must be at least 1.");
        return this;
    }
}
