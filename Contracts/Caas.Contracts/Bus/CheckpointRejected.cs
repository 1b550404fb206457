using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Agent report: the checkpoint failed; the job keeps running if it was.</summary>
public sealed record CheckpointRejected(string JobId, string NodeId, int Sequence, string Reason, DateTimeOffset At);
