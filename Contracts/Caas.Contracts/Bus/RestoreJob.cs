using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Command to one agent: bring the job back from checkpoint Sequence (held by CheckpointNodeId). Any copy of the job still running on this node is killed first.</summary>
public sealed record RestoreJob(string JobId, string NodeId, Guid IncidentId, int Sequence, string CheckpointNodeId);
