namespace Caas.Recovery.Sagas.Scheduling;

/// <summary>
/// The durable half of the scheduler: scheduled messages as rows. SQLite (standalone) and PostgreSQL
/// (cluster) implement it and pass one conformance suite. Times are the dispatcher's
/// <see cref="TimeProvider"/>'s, never the database server's clock.
/// </summary>
public interface IScheduledMessageStore
{
    /// <summary>"sqlite" or "postgresql".</summary>
    string Backend { get; }

    /// <summary>Stores the message, durably, before it returns. Scheduling a token again replaces the earlier message of that token.</summary>
    Task ScheduleAsync(ScheduledEnvelope message, CancellationToken cancellationToken = default);

    /// <summary>Cancels the message of this token unless it was already sent.</summary>
    /// <returns>True when a pending message was cancelled; false when there was none, or it was sent or cancelled before.</returns>
    Task<bool> CancelAsync(Guid tokenId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims up to <paramref name="max"/> pending messages due at <paramref name="now"/> for <paramref name="dispatcher"/> until
    /// <paramref name="now"/> + <paramref name="lease"/>. Two dispatchers never hold a claim on one message at once; a claim
    /// that is neither marked sent nor released before its lease ends (the dispatcher died) can be claimed again.
    /// </summary>
    /// <returns>The claimed messages, earliest due first.</returns>
    Task<IReadOnlyList<ScheduledEnvelope>> ClaimDueAsync(string dispatcher, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken = default);

    /// <summary>Records that the dispatcher holding the claim sent the message; it is never claimed again.</summary>
    Task MarkSentAsync(Guid tokenId, string dispatcher, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Keeps the message pending after a failed send and lets it be claimed again from <paramref name="retryAt"/>.</summary>
    Task RetryLaterAsync(Guid tokenId, string dispatcher, DateTimeOffset retryAt, string error, CancellationToken cancellationToken = default);

    /// <summary>The earliest time at which a pending message can be claimed; null when none is pending.</summary>
    Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken = default);

    Task<ScheduledMessageStatus?> GetStatusAsync(Guid tokenId, CancellationToken cancellationToken = default);

    /// <summary>Deletes messages sent or cancelled before <paramref name="before"/>.</summary>
    /// <returns>How many were deleted.</returns>
    Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}
