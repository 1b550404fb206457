using Caas.Contracts.Services;
using Caas.Recovery.Sagas;
using Caas.Recovery.Sagas.Persistence;
using Caas.Recovery.Sagas.Scheduling;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Recovery.Tests;

[Trait("Category", "Unit")]
public sealed class RecoveryRegistration_Specs
{
    private const string Cluster = "Host=127.0.0.1;Port=5432;Username=caas;Database=platform;Password=s3cret-pw";

    [Fact]
    public void Queries_on_another_database_than_the_saga_are_refused()
    {
        var services = new ServiceCollection();
        services.AddMassTransit(x => x.AddCaasRecovery(RecoveryPersistence.Sqlite("/var/lib/caas/platform.db")));

        var refused = Assert.Throws<ArgumentException>(() => services.AddCaasRecoveryQueries(RecoveryPersistence.Sqlite("/tmp/other.db")));

        Assert.StartsWith("Recovery is already registered on another database than SQLite /tmp/other.db.", refused.Message);
    }

    [Fact]
    public void Queries_on_the_sagas_database_share_its_stores()
    {
        var services = new ServiceCollection();
        services.AddMassTransit(x => x.AddCaasRecovery(RecoveryPersistence.Sqlite("/var/lib/caas/platform.db")));

        services.AddCaasRecoveryQueries(RecoveryPersistence.Sqlite("/var/lib/caas/../caas/platform.db"));

        Assert.Single(services, d => d.ServiceType == typeof(ISagaStore<RecoverySagaState>));
        Assert.Single(services, d => d.ServiceType == typeof(IScheduledMessageStore));
        Assert.Single(services, d => d.ServiceType == typeof(IRecoveryIncidents));
    }

    [Fact]
    public void The_postgres_choice_puts_saga_and_scheduler_on_postgres()
    {
        var services = new ServiceCollection();
        services.AddMassTransit(x => x.AddCaasRecovery(RecoveryPersistence.Postgres(Cluster)));
        using var provider = services.BuildServiceProvider();

        Assert.IsType<PostgresSagaStore<RecoverySagaState>>(provider.GetRequiredService<ISagaStore<RecoverySagaState>>());
        Assert.IsType<PostgresScheduledMessageStore>(provider.GetRequiredService<IScheduledMessageStore>());
    }

    [Fact]
    public void The_persistence_choice_never_shows_the_password()
    {
        var persistence = RecoveryPersistence.Postgres(Cluster);

        Assert.Equal("PostgreSQL 127.0.0.1:5432/platform (search path default)", persistence.ToString());
        var refused = Assert.Throws<ArgumentException>(() => RecoveryPersistence.Postgres("Host=db;Password=s3cret-pw;Bogus Key=1"));
        Assert.DoesNotContain("s3cret-pw", refused.Message);
        Assert.Throws<ArgumentException>(() => RecoveryPersistence.Postgres("Database=platform;Password=s3cret-pw"));
        Assert.Throws<ArgumentException>(() => RecoveryPersistence.Sqlite(" "));
    }

    [Fact]
    public void A_non_positive_timeout_is_refused()
    {
        var services = new ServiceCollection();

        var refused = Assert.Throws<ArgumentOutOfRangeException>(() =>
            services.AddMassTransit(x => x.AddCaasRecovery(RecoveryPersistence.Sqlite("/tmp/platform.db"), new RecoveryOptions { VerifyTimeout = TimeSpan.Zero })));

        Assert.Equal("VerifyTimeout", refused.ParamName);
    }
}
