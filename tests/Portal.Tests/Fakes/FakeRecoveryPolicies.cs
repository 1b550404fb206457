using Caas.Contracts.Policies;

namespace Caas.Portal.Tests.Fakes;

/// <summary>
/// A hand-written stand-in for the platform's recovery policies (the evaluator itself is tested in Monitoring.Tests):
/// keeps each job's policy, answers dry runs with the steps a test gives, records calls, and refuses invalid policies
/// and unknown jobs the way the real one does.
/// </summary>
public sealed class FakeRecoveryPolicies : IRecoveryPolicies
{
    public PolicyDefaults Defaults { get; set; } = new(new RecoveryPolicy(), new Dictionary<string, RecoveryPolicy>());
    public Dictionary<string, JobPolicyView> Jobs { get; } = [];
    /// <summary>What a dry run of a job answers (whatever the policy); none when absent.</summary>
    public Dictionary<string, IReadOnlyList<PolicyDryRunStep>> Histories { get; } = [];
    public List<(string JobId, RecoveryPolicy Policy)> SetCalls { get; } = [];
    public List<(string JobId, RecoveryPolicy? Policy)> DryRunCalls { get; } = [];

    public void AddJob(string jobId, RecoveryPolicy? policy = null, string source = "platform") =>
        Jobs[jobId] = new JobPolicyView { JobId = jobId, Policy = policy ?? new RecoveryPolicy(), Source = source };

    public Task<PolicyDefaults> GetDefaultsAsync(CancellationToken cancellationToken = default) => Task.FromResult(Defaults);

    public Task<JobPolicyView> GetForJobAsync(string jobId, CancellationToken cancellationToken = default) => Task.FromResult(Require(jobId));

    public Task<JobPolicyView> SetForJobAsync(string jobId, RecoveryPolicy policy, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid(policy);
        Require(jobId);
        SetCalls.Add((jobId, policy));
        Jobs[jobId] = new JobPolicyView { JobId = jobId, Policy = policy, Source = "job" };
        return Task.FromResult(Jobs[jobId]);
    }

    public Task<PolicyDryRun> DryRunAsync(string jobId, RecoveryPolicy? policy, CancellationToken cancellationToken = default)
    {
        if (policy is not null)
            ThrowIfInvalid(policy);
        var current = Require(jobId);
        DryRunCalls.Add((jobId, policy));
        var steps = Histories.GetValueOrDefault(jobId) ?? [];
        return Task.FromResult(new PolicyDryRun(jobId, policy ?? current.Policy, 42, steps));
    }

    private JobPolicyView Require(string jobId) =>
        Jobs.GetValueOrDefault(jobId) ?? throw new OperationRejectedException(RejectionKind.NotFound, $"Job '{jobId}' does not exist.");

    private static void ThrowIfInvalid(RecoveryPolicy policy)
    {
        var problems = RecoveryPolicyValidator.Validate(policy);
        if (problems.Count > 0)
            throw new OperationRejectedException(RejectionKind.Invalid, "The policy is invalid: " + string.Join(" ", problems.Select(p => p + ".")));
    }
}
