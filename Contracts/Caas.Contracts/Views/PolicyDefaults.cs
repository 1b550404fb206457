using Caas.Contracts.Policies;

namespace Caas.Contracts.Views;

/// <summary>The configured defaults: the platform's policy and each pool's own (configuration section Caas:Policies).</summary>
public sealed record PolicyDefaults(RecoveryPolicy Platform, IReadOnlyDictionary<string, RecoveryPolicy> Pools);
