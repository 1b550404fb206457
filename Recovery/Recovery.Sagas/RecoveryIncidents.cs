using Caas.Contracts.Jobs;
using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Caas.Recovery.Sagas.Persistence;

namespace Caas.Recovery.Sagas;

/// <summary>Answers incident queries straight from the saga table, on whichever database holds it.</summary>
public sealed class RecoveryIncidents(ISagaStore<RecoverySagaState> store) : IRecoveryIncidents
{
    public const int MaxTake = 1000;

    /// <summary>Names of the state machine's states in which an incident is still being worked on.</summary>
    private static readonly string[] OpenStates = [nameof(RecoveryStateMachine.Restoring), nameof(RecoveryStateMachine.Verifying)];

    public async Task<RecoveryIncident?> GetAsync(Guid incidentId, CancellationToken cancellationToken = default)
    {
        var saga = await store.LoadAsync(incidentId, cancellationToken).ConfigureAwait(false);
        return saga?.ToIncident();
    }

    public async Task<IReadOnlyList<RecoveryIncident>> ListForJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        if (!JobIds.IsValid(jobId))
            throw new ArgumentException($"'{jobId}' is not a job id.", nameof(jobId));
        var sagas = await store.ListNewestWhereAsync(nameof(RecoverySagaState.JobId), jobId, MaxTake, cancellationToken).ConfigureAwait(false);
        return sagas.Select(saga => saga.ToIncident()).ToList();
    }

    public async Task<IReadOnlyList<RecoveryIncident>> ListOpenAsync(CancellationToken cancellationToken = default)
    {
        var sagas = await store.ListInStatesAsync(OpenStates, cancellationToken).ConfigureAwait(false);
        return sagas.Select(saga => saga.ToIncident()).ToList();
    }

    public async Task<IReadOnlyList<RecoveryIncident>> ListRecentAsync(int take, CancellationToken cancellationToken = default)
    {
        if (take is < 1 or > MaxTake)
            throw new ArgumentOutOfRangeException(nameof(take), take, $"Take must be between 1 and {MaxTake}.");
        var sagas = await store.ListNewestAsync(take, cancellationToken).ConfigureAwait(false);
        return sagas.Select(saga => saga.ToIncident()).ToList();
    }
}
