using Npgsql;

namespace Caas.Monitoring.EventStore;

/// <summary>
/// Creates and migrates the event store's tables in the connection's schema (the first one on its search path)
/// and records in <c>schema_version</c> which migrations it has applied.
/// </summary>
internal static class PostgresSchema
{
    // Any constant works; it only keeps two stores starting at once on an empty database from racing on CREATE.
    private const long MigrationLockKey = 0x63616173_65767473; // "caasevts"

    private static readonly string[] Migrations =
    [
        // 1: streams hold each stream's version and are the row every append to that stream locks, so writers in
        // several processes serialize per stream and never meet a unique violation halfway through a group commit.
        // Positions come from a sequence with CACHE 1, so they are handed out in call order across sessions: a lower
        // position was drawn earlier, by a writer already holding its lock on events (what $all readers wait on).
        """
        CREATE TABLE streams (
            stream  text   PRIMARY KEY,
            version bigint NOT NULL
        );
        CREATE SEQUENCE events_position_seq AS bigint START 1 CACHE 1;
        CREATE TABLE events (
            position    bigint      PRIMARY KEY DEFAULT nextval('events_position_seq'),
            stream      text        NOT NULL,
            version     bigint      NOT NULL,
            event_id    uuid        NOT NULL,
            type        text        NOT NULL,
            data        text        NOT NULL,
            recorded_at timestamptz NOT NULL,
            UNIQUE (stream, version),
            UNIQUE (stream, event_id)
        );
        CREATE TABLE snapshots (
            stream  text   PRIMARY KEY,
            version bigint NOT NULL,
            type    text   NOT NULL,
            data    text   NOT NULL
        );
        -- One call per append; outcome 0 appended, 1 already stored (a retry), 2 wrong expected version,
        -- 3 some of the event ids are stored elsewhere in the stream. Returns instead of raising, so one
        -- refused append does not abort the others committed with it.
        CREATE FUNCTION append_events(
            p_stream text, p_expected bigint, p_ids uuid[], p_types text[], p_data text[], p_at timestamptz,
            OUT outcome integer, OUT stream_version bigint, OUT last_position bigint)
        LANGUAGE plpgsql VOLATILE AS $$
        DECLARE
            n          integer := cardinality(p_ids);
            current    bigint;
            stored_ids uuid[];
            first_v    bigint;
            last_v     bigint;
        BEGIN
            SELECT s.version INTO current FROM streams s WHERE s.stream = p_stream FOR UPDATE;
            IF NOT FOUND THEN
                INSERT INTO streams (stream, version) VALUES (p_stream, -1) ON CONFLICT (stream) DO NOTHING;
                SELECT s.version INTO current FROM streams s WHERE s.stream = p_stream FOR UPDATE;
            END IF;

            SELECT array_agg(e.event_id ORDER BY e.version), min(e.version), max(e.version)
              INTO stored_ids, first_v, last_v
              FROM events e WHERE e.stream = p_stream AND e.event_id = ANY (p_ids);

            IF stored_ids = p_ids AND last_v - first_v = n - 1 AND (p_expected = -2 OR p_expected + 1 = first_v) THEN
                outcome := 1;
                stream_version := last_v;
                SELECT e.position INTO last_position FROM events e WHERE e.stream = p_stream AND e.version = last_v;
                RETURN;
            END IF;
            IF p_expected <> -2 AND p_expected <> current THEN
                outcome := 2;
                stream_version := current;
                RETURN;
            END IF;
            IF stored_ids IS NOT NULL THEN
                outcome := 3;
                stream_version := first_v;
                RETURN;
            END IF;

            WITH appended AS (
                INSERT INTO events (stream, version, event_id, type, data, recorded_at)
                SELECT p_stream, current + u.i, u.id, u.type, u.data, p_at
                  FROM unnest(p_ids, p_types, p_data) WITH ORDINALITY AS u(id, type, data, i)
                 ORDER BY u.i
                RETURNING position)
            SELECT max(position) INTO last_position FROM appended;
            UPDATE streams SET version = current + n WHERE stream = p_stream;
            -- Delivered at commit, once per transaction however many appends it holds: wakes subscriptions early.
            PERFORM pg_notify('caas_events', '');
            outcome := 0;
            stream_version := current + n;
        END
        $$;
        """,
        // 2: each projection's folded state with the position of the last event in it, written together in one transaction.
        """
        CREATE TABLE projection_checkpoints (
            name       text        PRIMARY KEY,
            position   bigint      NOT NULL,
            state_type text        NOT NULL,
            state      text        NOT NULL,
            saved_at   timestamptz NOT NULL
        );
        """,
        // 3: every append moves its stream's row. Filled to the brim (the default), each such update lands on another
        // page, leaving a dead row and a new entry in the stream index behind; pages kept four-fifths empty let
        // PostgreSQL update the row in place (a HOT update: no index entry, the dead row pruned on the page), which
        // measured about twice as fast for the group commit's 500-row updates. Pages written from now on keep the room.
        """
        ALTER TABLE streams SET (fillfactor = 20);
        """,
        // 4: a projection checkpoint is a projection's whole state (the job list of 10,000 jobs is tens of MB of JSON),
        // compressed by PostgreSQL at every save. lz4 compressed such JSON as small as the default pglz in half the time
        // (measured: 20 MB, 162 ms against 318 ms), CPU the database otherwise takes from ingestion. A server built
        // without lz4 keeps pglz: the checkpoints are the same, only their compression differs.
        """
        DO $$
        BEGIN
            ALTER TABLE projection_checkpoints ALTER COLUMN state SET COMPRESSION lz4;
        EXCEPTION WHEN feature_not_supported THEN
            NULL;
        END
        $$;
        """,
    ];

    public static int CurrentVersion => Migrations.Length;

    public static async Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({MigrationLockKey});", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, """
            CREATE TABLE IF NOT EXISTS schema_version (
                version    integer     PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """, cancellationToken).ConfigureAwait(false);

        int stored;
        string schema;
        await using (var read = new NpgsqlCommand("SELECT coalesce(max(version), 0), current_schema() FROM schema_version;", connection))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            stored = reader.GetInt32(0);
            schema = reader.GetString(1);
        }
        if (stored > CurrentVersion)
            throw new InvalidOperationException(
                $"The event store in schema '{schema}' of database '{connection.Database}' has schema version {stored}; this build understands up to {CurrentVersion}. Use a newer build.");
        for (var version = stored + 1; version <= CurrentVersion; version++)
        {
            await ExecuteAsync(connection, Migrations[version - 1], cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand("INSERT INTO schema_version (version) VALUES ($1);", connection);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
