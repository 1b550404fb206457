using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Command to one agent: bring the job back from checkpoint Sequence (held by CheckpointNodeId). Any copy of the job still running on this node is killed first. Epoch: as in <see cref="LaunchJob"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record RestoreJob([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] Guid IncidentId, [property: Id(3)] int Sequence, [property: Id(4)] string CheckpointNodeId, [property: Id(140)] long Epoch = 0);
