using Caas.Contracts.Policies;

namespace Caas.Contracts.Views;

/// <summary>What a policy would have done over a job's recorded history, without acting: one step per incident in the stream.</summary>
public sealed record PolicyDryRun(string JobId, RecoveryPolicy Policy, long EventsReplayed, IReadOnlyList<PolicyDryRunStep> Steps);

/// <summary>An incident found in the stream (the event at Version) and the policy's decision on it.</summary>
public sealed record PolicyDryRunStep(long Version, string EventType, DateTimeOffset At, PolicyDecision Decision);
