namespace Caas.Contracts.Bus;

/// <summary>Command to the agent holding the checkpoint: check its bundle and test-restore it into a throw-away copy.</summary>
[GenerateSerializer, Immutable]
public sealed record VerifyCheckpoint([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] int Sequence);
