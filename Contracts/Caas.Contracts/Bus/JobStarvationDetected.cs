using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Monitoring: the job is starved on its node. Recovery policies (migrate to another node or pool) act on it.</summary>
[GenerateSerializer, Immutable]
public sealed record JobStarvationDetected([property: Id(0)] Guid IncidentId, [property: Id(1)] string JobId, [property: Id(2)] string NodeId, [property: Id(3)] StarvationCause Cause, [property: Id(4)] string Detail, [property: Id(5)] double Rate, [property: Id(6)] double BaselineRate, [property: Id(7)] DateTimeOffset At);
