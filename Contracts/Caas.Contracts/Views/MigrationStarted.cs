namespace Caas.Contracts.Views;

/// <summary>A move that has begun: checkpoint <paramref name="Sequence"/> is being taken to restore the job on <paramref name="TargetNodeId"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record MigrationStarted([property: Id(0)] string JobId, [property: Id(1)] string SourceNodeId, [property: Id(2)] string TargetNodeId, [property: Id(3)] int Sequence);
