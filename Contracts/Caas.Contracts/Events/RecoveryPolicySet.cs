using Caas.Contracts.Policies;

namespace Caas.Contracts.Events;

/// <summary>Someone gave the job its own recovery policy (replacing the one in its spec or the defaults) from now on.</summary>
[EventType("RecoveryPolicySet")]
[GenerateSerializer, Immutable]
public sealed record RecoveryPolicySet([property: Id(0)] string JobId, [property: Id(1)] RecoveryPolicy Policy, [property: Id(2)] DateTimeOffset At) : IJobEvent;
