using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Command to one agent: write checkpoint Sequence of this job (leave it running, or stop it).</summary>
[GenerateSerializer, Immutable]
public sealed record CheckpointJob([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] int Sequence, [property: Id(3)] bool LeaveRunning);
