namespace Caas.Contracts.Events;

/// <summary>
/// A job of higher priority (ByJobId) found its pool full and takes this running job's slot: the job is checkpointed in
/// stop mode (checkpoint Sequence) and is swapped out once that checkpoint is taken. A failed checkpoint leaves it running.
/// </summary>
[EventType("JobSwapOutRequested")]
[GenerateSerializer, Immutable]
public sealed record JobSwapOutRequested([property: Id(0)] string JobId, [property: Id(1)] int Sequence, [property: Id(2)] string ByJobId, [property: Id(3)] string Reason, [property: Id(4)] DateTimeOffset At) : IJobEvent;
