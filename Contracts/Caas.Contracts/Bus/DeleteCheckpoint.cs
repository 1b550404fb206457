namespace Caas.Contracts.Bus;

/// <summary>Command to the agent holding the checkpoint: delete its bundle (the grain already checked that nothing needs it).</summary>
[GenerateSerializer, Immutable]
public sealed record DeleteCheckpoint([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] int Sequence);
