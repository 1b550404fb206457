using Caas.Recovery.Sagas;
using Caas.Recovery.Sagas.Persistence;

namespace Caas.Recovery.Tests;

[Trait("Category", "Integration")]
public sealed class PostgresSagaStore_Specs : SagaStoreConformance
{
    private PostgresTestDatabase _database = null!;

    protected override ISagaStore<RecoverySagaState> NewStore() =>
        new PostgresSagaStore<RecoverySagaState>(_database.NewDataSource(), RecoveryRegistration.SagaTableDefinition, s => s.CurrentState, Clock);

    public override async Task InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync();

    public override async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task The_schema_is_created_once_with_its_version_recorded_even_when_hosts_start_together()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => NewStore()).ToList();

        await Task.WhenAll(stores.Select(s => s.ListNewestAsync(1)));

        Assert.Equal(1L, await _database.ScalarAsync("SELECT count(*) FROM recovery_schema_versions WHERE component = 'recovery_sagas' AND version = 1"));
        Assert.Equal(1L, await _database.ScalarAsync("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'ix_recovery_sagas_jobid'"));
    }

    [Fact]
    public async Task A_database_migrated_by_a_newer_build_is_refused_with_the_reason()
    {
        await NewStore().ListNewestAsync(1);
        await _database.ScalarAsync("INSERT INTO recovery_schema_versions (component, version) VALUES ('recovery_sagas', 99)");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => NewStore().ListNewestAsync(1));

        Assert.Contains("has schema version 99; this build understands up to 1", refused.Message);
    }

}
