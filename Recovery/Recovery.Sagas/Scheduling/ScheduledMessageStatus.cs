namespace Caas.Recovery.Sagas.Scheduling;

/// <summary>Where a scheduled message stands, for tools, logs and tests.</summary>
/// <param name="Attempts">How many times a dispatcher claimed it to send it.</param>
/// <param name="LastError">Why the last attempt to send it failed, if it did.</param>
public sealed record ScheduledMessageStatus(
    Guid TokenId, DateTimeOffset DueAt, int Attempts, string? ClaimedBy, DateTimeOffset? SentAt, DateTimeOffset? CancelledAt, string? LastError)
{
    public bool IsPending => SentAt is null && CancelledAt is null;
}
