using System.Net;
using System.Net.Sockets;
using Caas.Monitoring.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Caas.Monitoring.Tests;

/// <summary>Real silos on this machine (distinct ports) that find each other through membership in a real PostgreSQL.</summary>
[Trait("Category", "Integration")]
public sealed class PostgresClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private PostgresTestSchema _schema = null!;
    private readonly List<IHost> _silos = [];
    private readonly string _clusterId = $"test-{Guid.NewGuid():N}"[..16];

    public async Task InitializeAsync() => _schema = await PostgresTestSchema.CreateAsync();

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            try
            {
                await silo.StopAsync(TimeSpan.FromSeconds(10));
            }
            finally
            {
                silo.Dispose();
            }
        }
        NpgsqlConnection.ClearAllPools();
        await _schema.DisposeAsync();
    }

    [Fact]
    public async Task The_schema_is_created_once_records_its_version_and_catalogues_every_query_the_providers_need()
    {
        await ClusterSchema.MigrateAsync(_schema.ConnectionString);
        await ClusterSchema.MigrateAsync(_schema.ConnectionString);

        await using var connection = await _schema.OpenAsync();
        Assert.Equal(ClusterSchema.CurrentVersion, await Scalar<int>(connection, "SELECT max(version) FROM cluster_schema_version"));
        Assert.Equal(1L, await Scalar<long>(connection, "SELECT count(*) FROM cluster_schema_version"));
        var keys = new List<string>();
        await using (var read = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery ORDER BY 1", connection))
        await using (var reader = await read.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                keys.Add(reader.GetString(0));
        Assert.Equal(
            ["CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey", "DeleteMembershipTableEntriesKey", "DeleteReminderRowKey",
             "DeleteReminderRowsKey", "GatewaysQueryKey", "InsertMembershipKey", "InsertMembershipVersionKey", "MembershipReadAllKey",
             "MembershipReadRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "ReadReminderRowKey", "ReadReminderRowsKey",
             "UpdateIAmAlivetimeKey", "UpdateMembershipKey", "UpsertReminderRowKey"],
            keys);
    }

    [Fact]
    public async Task Two_silos_join_one_cluster_and_a_silo_that_leaves_is_seen_gone_by_the_other()
    {
        var first = await StartSiloAsync();
        var second = await StartSiloAsync();

        await WaitForActiveSilosAsync(first, 2);
        await WaitForActiveSilosAsync(second, 2);

        await second.StopAsync(TimeSpan.FromSeconds(30));
        _silos.Remove(second);
        second.Dispose();

        await WaitForActiveSilosAsync(first, 1);
        await using var connection = await _schema.OpenAsync();
        // Every join and leave went through the version row: at least two inserts and the leaver's status changes.
        Assert.True(await Scalar<int>(connection, $"SELECT version FROM orleans_membership_version WHERE deployment_id = '{_clusterId}'") >= 4);
        Assert.Equal(1L, await Scalar<long>(connection, $"SELECT count(*) FROM orleans_membership WHERE deployment_id = '{_clusterId}' AND status = 3"));
    }

    [Fact]
    public async Task Reminders_are_stored_read_by_grain_and_by_hash_range_and_deleted_only_with_their_current_etag()
    {
        var silo = await StartSiloAsync();
        var table = silo.Services.GetRequiredService<IReminderTable>();
        var grain = GrainId.Create("job", "job-0000000001");
        var start = new DateTime(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);

        var etag = (await table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "checkpoint", StartAt = start, Period = TimeSpan.FromMinutes(30) }))!;
        var changed = (await table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "checkpoint", StartAt = start, Period = TimeSpan.FromMinutes(20) }))!;

        var row = (await table.ReadRow(grain, "checkpoint"))!;
        Assert.Equal((TimeSpan.FromMinutes(20), start, changed), (row.Period, row.StartAt.ToUniversalTime(), row.ETag));
        Assert.NotEqual(etag, changed);
        Assert.Single((await table.ReadRows(grain)).Reminders);
        var hash = grain.GetUniformHashCode();
        Assert.Single((await table.ReadRows(hash - 1, hash)).Reminders);
        Assert.Empty((await table.ReadRows(hash, hash + 1)).Reminders);

        Assert.False(await table.RemoveRow(grain, "checkpoint", etag));
        Assert.True(await table.RemoveRow(grain, "checkpoint", changed));
        Assert.Empty((await table.ReadRows(grain)).Reminders);
    }

    private async Task<IHost> StartSiloAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo =>
        {
            silo.UseCaasPostgresCluster(_schema.ConnectionString, _clusterId, "caas-test");
            silo.ConfigureEndpoints(IPAddress.Loopback, FreePort(), FreePort());
            // Faster than production so a test sees a leave within seconds.
            silo.Configure<ClusterMembershipOptions>(options => options.TableRefreshTimeout = TimeSpan.FromSeconds(1));
        });
        var host = builder.Build();
        _silos.Add(host);
        await host.StartAsync();
        return host;
    }

    private static async Task WaitForActiveSilosAsync(IHost silo, int count)
    {
        var management = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var deadline = DateTime.UtcNow + Patience;
        int seen;
        do
        {
            seen = (await management.GetHosts(onlyActive: true)).Count;
            if (seen == count)
                return;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"expected {count} active silos, the cluster shows {seen}");
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
