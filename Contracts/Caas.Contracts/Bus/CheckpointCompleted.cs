using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Agent report: the checkpoint image is complete and its manifest written.</summary>
public sealed record CheckpointCompleted(string JobId, string NodeId, CheckpointInfo Checkpoint, DateTimeOffset At);
