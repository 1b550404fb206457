namespace Caas.Contracts.Policies;

/// <summary>One thing wrong with a policy: the field as written in JSON (e.g. "policy.maxAttempts") and what to do about it.</summary>
[GenerateSerializer, Immutable]
public sealed record RecoveryPolicyProblem([property: Id(0)] string Field, [property: Id(1)] string Message)
{
    public override string ToString() => $"'{Field}' {Message}";
}
