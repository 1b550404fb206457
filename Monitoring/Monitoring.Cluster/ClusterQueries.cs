namespace Caas.Monitoring.Cluster;

/// <summary>
/// The statements Orleans' ADO.NET membership and reminder providers run, by the names they look them up under in
/// the <c>OrleansQuery</c> table. The providers bind parameters by name (@DeploymentId, @Address, @Port, @Generation,
/// @Version...) and read columns by name, so those names are the contract; the tables behind them are ours.
///
/// Membership is optimistic: one version row per cluster is the table's etag. Every insert or update of a silo's
/// row must bump that version from the value the silo last read, in the same statement, or change nothing and
/// answer false so the silo re-reads and tries again. Heartbeats (IAmAliveTime) are outside that protocol.
/// </summary>
internal static class ClusterQueries
{
    /// <summary>SiloStatus.Dead.</summary>
    private const int DeadStatus = 6;

    private const string MemberColumns = """
        v.deployment_id AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
        m.silo_name AS SiloName, m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort,
        m.suspect_times AS SuspectTimes, m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime, v.version AS Version
        """;

    private const string ThisSilo = "m.deployment_id = @DeploymentId AND m.address = @Address AND m.port = @Port AND m.generation = @Generation";

    public static readonly IReadOnlyDictionary<string, string> Membership = new Dictionary<string, string>
    {
        ["GatewaysQueryKey"] = $"""
            SELECT m.address AS Address, m.proxy_port AS ProxyPort, m.generation AS Generation
            FROM orleans_membership m
            WHERE m.deployment_id = @DeploymentId AND m.status = @Status AND m.proxy_port > 0
            """,

        // The version row joined to the silos, so an empty cluster still answers with its version (and no silo).
        ["MembershipReadAllKey"] = $"""
            SELECT {MemberColumns}
            FROM orleans_membership_version v
            LEFT JOIN orleans_membership m ON m.deployment_id = v.deployment_id
            WHERE v.deployment_id = @DeploymentId
            """,

        ["MembershipReadRowKey"] = $"""
            SELECT {MemberColumns}
            FROM orleans_membership_version v
            LEFT JOIN orleans_membership m ON m.deployment_id = v.deployment_id
                AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
            WHERE v.deployment_id = @DeploymentId
            """,

        ["InsertMembershipVersionKey"] = """
            WITH created AS (
                INSERT INTO orleans_membership_version (deployment_id, version, changed_at)
                VALUES (@DeploymentId, 0, now())
                ON CONFLICT (deployment_id) DO NOTHING
                RETURNING 1)
            SELECT count(*) > 0 FROM created
            """,

        // Bumps the version only when it is the one the silo read and the silo is not yet in the table; the insert
        // happens only if the bump did. One statement, so both or neither. A joining silo has no suspicions yet (the
        // provider binds @SuspectTimes only to statements that mention it).
        ["InsertMembershipKey"] = $"""
            WITH bumped AS (
                UPDATE orleans_membership_version SET version = version + 1, changed_at = now()
                WHERE deployment_id = @DeploymentId AND version = @Version
                  AND NOT EXISTS (SELECT 1 FROM orleans_membership m WHERE {ThisSilo})
                RETURNING deployment_id),
            inserted AS (
                INSERT INTO orleans_membership (deployment_id, address, port, generation, silo_name, host_name, status,
                    proxy_port, suspect_times, start_time, i_am_alive_time)
                SELECT deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
                    @ProxyPort, NULL, @StartTime, @IAmAliveTime
                FROM bumped
                RETURNING 1)
            SELECT count(*) > 0 FROM inserted
            """,

        ["UpdateMembershipKey"] = $"""
            WITH bumped AS (
                UPDATE orleans_membership_version SET version = version + 1, changed_at = now()
                WHERE deployment_id = @DeploymentId AND version = @Version
                  AND EXISTS (SELECT 1 FROM orleans_membership m WHERE {ThisSilo})
                RETURNING deployment_id),
            updated AS (
                UPDATE orleans_membership m
                SET status = @Status, suspect_times = @SuspectTimes::text, i_am_alive_time = greatest(m.i_am_alive_time, @IAmAliveTime)
                WHERE {ThisSilo} AND EXISTS (SELECT 1 FROM bumped)
                RETURNING 1)
            SELECT count(*) > 0 FROM updated
            """,

        // A heartbeat never moves time backwards, whatever order two of them arrive in.
        ["UpdateIAmAlivetimeKey"] = $"""
            UPDATE orleans_membership m SET i_am_alive_time = greatest(m.i_am_alive_time, @IAmAliveTime)
            WHERE {ThisSilo}
            """,

        ["DeleteMembershipTableEntriesKey"] = """
            DELETE FROM orleans_membership WHERE deployment_id = @DeploymentId;
            DELETE FROM orleans_membership_version WHERE deployment_id = @DeploymentId
            """,

        // Dead silos nobody suspects any more, quiet since before the cut-off.
        ["CleanupDefunctSiloEntriesKey"] = $"""
            DELETE FROM orleans_membership
            WHERE deployment_id = @DeploymentId AND status = {DeadStatus}
              AND i_am_alive_time < @IAmAliveTime AND start_time < @IAmAliveTime
              AND coalesce(suspect_times, '') = ''
            """,

        // One dead silo, only if its row is still exactly as the caller saw it.
        ["CleanupDefunctSiloEntryKey"] = $"""
            DELETE FROM orleans_membership m
            WHERE {ThisSilo} AND m.status = {DeadStatus}
              AND m.i_am_alive_time = @IAmAliveTime AND m.start_time = @StartTime
              AND coalesce(m.suspect_times, '') = coalesce(@SuspectTimes::text, '')
            """,
    };

    private const string ReminderColumns = "r.grain_id AS GrainId, r.reminder_name AS ReminderName, r.start_time AS StartTime, r.period_ms AS Period, r.version AS Version";

    public static readonly IReadOnlyDictionary<string, string> Reminders = new Dictionary<string, string>
    {
        ["ReadReminderRowsKey"] = $"""
            SELECT {ReminderColumns} FROM orleans_reminders r
            WHERE r.service_id = @ServiceId AND r.grain_id = @GrainId
            """,

        ["ReadReminderRowKey"] = $"""
            SELECT {ReminderColumns} FROM orleans_reminders r
            WHERE r.service_id = @ServiceId AND r.grain_id = @GrainId AND r.reminder_name = @ReminderName
            """,

        // The ring range (begin, end] when it does not wrap around ...
        ["ReadRangeRows1Key"] = $"""
            SELECT {ReminderColumns} FROM orleans_reminders r
            WHERE r.service_id = @ServiceId AND r.grain_hash > @BeginHash AND r.grain_hash <= @EndHash
            """,

        // ... and when it does.
        ["ReadRangeRows2Key"] = $"""
            SELECT {ReminderColumns} FROM orleans_reminders r
            WHERE r.service_id = @ServiceId AND (r.grain_hash > @BeginHash OR r.grain_hash <= @EndHash)
            """,

        ["UpsertReminderRowKey"] = """
            INSERT INTO orleans_reminders (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version)
            VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
            ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
            SET start_time = excluded.start_time, period_ms = excluded.period_ms, grain_hash = excluded.grain_hash,
                version = orleans_reminders.version + 1
            RETURNING version AS Version
            """,

        ["DeleteReminderRowKey"] = """
            WITH deleted AS (
                DELETE FROM orleans_reminders
                WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName AND version = @Version
                RETURNING 1)
            SELECT count(*) > 0 FROM deleted
            """,

        ["DeleteReminderRowsKey"] = "DELETE FROM orleans_reminders WHERE service_id = @ServiceId",
    };
}
