using Caas.Contracts.Policies;

namespace Caas.Contracts.Views;

/// <summary>The recovery policy a job is under and where it comes from: "job", "pool:&lt;name&gt;" or "platform".</summary>
[GenerateSerializer, Immutable]
public sealed record JobPolicyView
{
    [Id(0)] public required string JobId { get; init; }
    [Id(1)] public required RecoveryPolicy Policy { get; init; }
    [Id(2)] public required string Source { get; init; }
}
