using Caas.Contracts.Grains;
using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Caas.Monitoring.EventStore;

namespace Caas.Monitoring.Grains.Policies;

/// <summary>Policies as people see and steer them: the defaults from configuration, each job's from its grain, and dry runs over its stream.</summary>
public sealed class RecoveryPolicies(IGrainFactory grains, IEventStore store, EventSerializer serializer, PolicyResolver resolver) : IRecoveryPolicies
{
    private const int ReplayPageSize = 1000;

    public Task<PolicyDefaults> GetDefaultsAsync(CancellationToken cancellationToken = default) => Task.FromResult(resolver.Defaults);

    public Task<JobPolicyView> GetForJobAsync(string jobId, CancellationToken cancellationToken = default) => Job(jobId).GetPolicy();

    public Task<JobPolicyView> SetForJobAsync(string jobId, RecoveryPolicy policy, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid(policy);
        return Job(jobId).SetPolicy(policy);
    }

    public async Task<PolicyDryRun> DryRunAsync(string jobId, RecoveryPolicy? policy, CancellationToken cancellationToken = default)
    {
        if (policy is not null)
            ThrowIfInvalid(policy);
        policy ??= (await Job(jobId).GetPolicy()).Policy;
        var replay = new PolicyReplay(policy);
        long from = 0;
        while (true)
        {
            var page = await store.ReadStreamAsync(jobId, from, ReplayPageSize, cancellationToken);
            foreach (var recorded in page)
                replay.Feed(new RecordedJobEvent(recorded.Version, recorded.Type, serializer.Deserialize(recorded)));
            from += page.Count;
            if (page.Count < ReplayPageSize)
                break;
        }
        if (replay.EventsReplayed == 0)
            throw new OperationRejectedException(RejectionKind.NotFound, $"Job '{jobId}' does not exist.");
        return new PolicyDryRun(jobId, policy, replay.EventsReplayed, replay.Steps);
    }

    /// <exception cref="OperationRejectedException">Invalid, with every problem named by its field.</exception>
    public static void ThrowIfInvalid(RecoveryPolicy? policy)
    {
        var problems = RecoveryPolicyValidator.Validate(policy);
        if (problems.Count > 0)
            throw new OperationRejectedException(RejectionKind.Invalid, "The policy is invalid: " + string.Join(" ", problems.Select(p => p + ".")));
    }

    private IJobGrain Job(string jobId) => JobIds.IsValid(jobId)
        ? grains.GetGrain<IJobGrain>(jobId)
        : throw new OperationRejectedException(RejectionKind.NotFound, $"Job '{jobId}' does not exist.");
}
