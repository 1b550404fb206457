namespace Caas.Contracts.Policies;

/// <summary>
/// What a recovery policy decided about one incident and why, e.g. "restart in place: stall, attempt 2 of 5 in 1 h,
/// after a 10 s backoff" or "none: cooldown until 12:05:00 after the recovery at 12:04:00".
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PolicyDecision
{
    [Id(0)] public required PolicyTrigger Trigger { get; init; }
    [Id(1)] public required RecoveryAction Action { get; init; }
    [Id(2)] public required string Reason { get; init; }
    /// <summary>Which automatic recovery in the attempt window this is (1 for the first); 0 when nothing is done.</summary>
    [Id(3)] public int Attempt { get; init; }
    /// <summary>When the incident happened.</summary>
    [Id(4)] public required DateTimeOffset At { get; init; }
    /// <summary>When the action may start (after the backoff); equal to At when at once.</summary>
    [Id(5)] public DateTimeOffset NotBefore { get; init; }
    /// <summary>Where the job may go; null when nothing is done.</summary>
    [Id(6)] public RecoveryTargets? Targets { get; init; }

    public bool Acts => Action != RecoveryAction.None;
}
