using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Command to one agent: write checkpoint Sequence of this job (leave it running, or stop it).</summary>
public sealed record CheckpointJob(string JobId, string NodeId, int Sequence, bool LeaveRunning);
