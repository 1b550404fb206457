using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Agent report: these bundles of the job are gone from the node (deleted on request or by retention), so nobody restores from them.</summary>
[GenerateSerializer, Immutable]
public sealed record CheckpointsPruned([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] IReadOnlyList<int> Sequences, [property: Id(3)] CheckpointRemoval Removal, [property: Id(4)] string Reason, [property: Id(5)] DateTimeOffset At);
