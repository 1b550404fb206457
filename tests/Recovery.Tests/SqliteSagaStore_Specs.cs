using Caas.Recovery.Sagas;
using Caas.Recovery.Sagas.Persistence;

namespace Caas.Recovery.Tests;

[Trait("Category", "Integration")]
public sealed class SqliteSagaStore_Specs : SagaStoreConformance
{
    private readonly TempDatabase _database = new();

    protected override ISagaStore<RecoverySagaState> NewStore() =>
        new SqliteSagaStore<RecoverySagaState>(_database.Path, RecoveryRegistration.SagaTableDefinition, s => s.CurrentState, Clock);

    public override Task DisposeAsync()
    {
        _database.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void A_table_name_that_is_not_a_plain_identifier_is_refused()
    {
        var refused = Assert.Throws<ArgumentException>(() => new SagaTable("sagas; DROP TABLE x"));
        Assert.StartsWith("Saga table name 'sagas; DROP TABLE x' must be lower-case letters, digits and underscores.", refused.Message);
    }
}
