using Caas.Contracts.Services;
using Caas.Recovery.Sagas;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Recovery.Tests;

[Trait("Category", "Unit")]
public sealed class RecoveryRegistration_Specs
{
    [Fact]
    public void Queries_on_another_database_than_the_saga_are_refused()
    {
        var services = new ServiceCollection();
        services.AddMassTransit(x => x.AddCaasRecovery("/var/lib/caas/platform.db"));

        var refused = Assert.Throws<ArgumentException>(() => services.AddCaasRecoveryQueries("/tmp/other.db"));

        Assert.StartsWith("Recovery is already registered on another database than '/tmp/other.db'.", refused.Message);
    }

    [Fact]
    public void Queries_on_the_sagas_database_share_its_store()
    {
        var services = new ServiceCollection();
        services.AddMassTransit(x => x.AddCaasRecovery("/var/lib/caas/platform.db"));

        services.AddCaasRecoveryQueries("/var/lib/caas/../caas/platform.db");

        Assert.Single(services, d => d.ServiceType == typeof(Sagas.Persistence.SqliteSagaStore<RecoverySagaState>));
        Assert.Single(services, d => d.ServiceType == typeof(IRecoveryIncidents));
    }

    [Fact]
    public void A_non_positive_timeout_is_refused()
    {
        var services = new ServiceCollection();

        var refused = Assert.Throws<ArgumentOutOfRangeException>(() =>
            services.AddMassTransit(x => x.AddCaasRecovery("/tmp/platform.db", new RecoveryOptions { VerifyTimeout = TimeSpan.Zero })));

        Assert.Equal("VerifyTimeout", refused.ParamName);
    }
}
