namespace Caas.Contracts.Bus;

/// <summary>Agent report: the test restore of a checkpoint came to life (Verified) or not, with the reason.</summary>
[GenerateSerializer, Immutable]
public sealed record CheckpointVerificationEnded([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] int Sequence, [property: Id(3)] bool Verified, [property: Id(4)] string? Reason, [property: Id(5)] DateTimeOffset At);
