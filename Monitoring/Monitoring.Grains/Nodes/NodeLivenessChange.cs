using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Grains.Nodes;

/// <summary>A transition worth announcing: the node was lost (Health Lost) or is back (Health Live), as of At.</summary>
[GenerateSerializer, Immutable]
public sealed record NodeLivenessChange([property: Id(0)] string NodeId, [property: Id(1)] NodeHealth Health, [property: Id(2)] DateTimeOffset At);
