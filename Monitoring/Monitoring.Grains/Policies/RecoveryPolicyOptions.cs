using Caas.Contracts.Policies;

namespace Caas.Monitoring.Grains.Policies;

/// <summary>
/// The default recovery policies (configuration section <c>Caas:Policies</c>): <c>Platform</c> for every job, and
/// <c>Pools:&lt;pool&gt;</c> for the jobs of one pool. A job's own policy (in its spec, or set later) overrides both.
/// Checked at start by <see cref="RecoveryPolicyOptionsValidator"/>.
/// </summary>
public sealed class RecoveryPolicyOptions
{
    public const string SectionName = "Caas:Policies";

    public RecoveryPolicy Platform { get; set; } = new();
    public Dictionary<string, RecoveryPolicy> Pools { get; set; } = new(StringComparer.Ordinal);
}
