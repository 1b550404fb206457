using Caas.Contracts.Services;
using Caas.Contracts.Views;
using Caas.Contracts.Jobs;
using Caas.Recovery.Sagas.Persistence;

namespace Caas.Recovery.Sagas;

/// <summary>Answers incident queries straight from the saga table.</summary>
public sealed class SqliteRecoveryIncidents(SqliteSagaStore<RecoverySagaState> store) : IRecoveryIncidents
{
    public const int MaxTake = 1000;

    /// <summary>Names of the state machine's states in which an incident is still being worked on.</summary>
    private static class OpenStates
    {
        public const string Restoring = nameof(RecoveryStateMachine.Restoring);
        public const string Verifying = nameof(RecoveryStateMachine.Verifying);
    }

    public async Task<RecoveryIncident?> GetAsync(Guid incidentId, CancellationToken cancellationToken = default)
    {
        var saga = await store.LoadAsync(incidentId, cancellationToken).ConfigureAwait(false);
        return saga is null ? null : saga.ToIncident();
    }

    public async Task<IReadOnlyList<RecoveryIncident>> ListForJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        if (!JobIds.IsValid(jobId))
            throw new ArgumentException($"'{jobId}' is not a job id.", nameof(jobId));
        var sagas = await store.QueryAsync($"json_extract(data, '$.{nameof(RecoverySagaState.JobId)}') = $job", "created_at DESC, correlation_id", MaxTake,
            new Dictionary<string, object> { ["$job"] = jobId }, cancellationToken).ConfigureAwait(false);
        return sagas.Select(saga => saga.ToIncident()).ToList();
    }

    public async Task<IReadOnlyList<RecoveryIncident>> ListOpenAsync(CancellationToken cancellationToken = default)
    {
        var sagas = await store.QueryAsync("current_state IN ($restoring, $verifying)", "created_at, correlation_id", int.MaxValue,
            new Dictionary<string, object> { ["$restoring"] = OpenStates.Restoring, ["$verifying"] = OpenStates.Verifying }, cancellationToken).ConfigureAwait(false);
        return sagas.Select(saga => saga.ToIncident()).ToList();
    }

    public async Task<IReadOnlyList<RecoveryIncident>> ListRecentAsync(int take, CancellationToken cancellationToken = default)
    {
        if (take is < 1 or > MaxTake)
            throw new ArgumentOutOfRangeException(nameof(take), take, $"Take must be between 1 and {MaxTake}.");
        var sagas = await store.QueryAsync("1 = 1", "created_at DESC, correlation_id", take,
            new Dictionary<string, object>(), cancellationToken).ConfigureAwait(false);
        return sagas.Select(saga => saga.ToIncident()).ToList();
    }
}
