using Npgsql;

namespace Caas.Monitoring.EventStore;

public sealed partial class PostgresEventStore
{
    public async Task<IReadOnlyList<ProjectionCheckpoint>> ReadProjectionCheckpointsAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT name, position, state_type, state, saved_at FROM projection_checkpoints ORDER BY name;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var checkpoints = new List<ProjectionCheckpoint>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            checkpoints.Add(new ProjectionCheckpoint(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4)));
        }
        return checkpoints;
    }

    public async Task SaveProjectionCheckpointsAsync(IReadOnlyList<ProjectionCheckpoint> checkpoints, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        foreach (var checkpoint in checkpoints)
            EventStoreArguments.ValidateProjectionCheckpoint(checkpoint);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var checkpoint in checkpoints)
        {
            await using var command = new NpgsqlCommand("""
                INSERT INTO projection_checkpoints (name, position, state_type, state, saved_at) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (name) DO UPDATE SET position = excluded.position, state_type = excluded.state_type, state = excluded.state, saved_at = excluded.saved_at;
                """, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = checkpoint.Name });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = checkpoint.Position });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = checkpoint.StateType });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = checkpoint.State });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = checkpoint.SavedAt.ToUniversalTime() });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteProjectionCheckpointAsync(string name, CancellationToken cancellationToken = default)
    {
        EventStoreArguments.ValidateProjectionName(name);
        await using var command = _dataSource.CreateCommand("DELETE FROM projection_checkpoints WHERE name = $1;");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
