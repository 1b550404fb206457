using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Agent report: the job could not be launched.</summary>
[GenerateSerializer, Immutable]
public sealed record LaunchRejected([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] string Reason, [property: Id(3)] DateTimeOffset At);
