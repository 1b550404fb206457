using Microsoft.Data.Sqlite;

namespace Caas.Monitoring.EventStore;

public sealed partial class SqliteEventStore
{
    public async Task<IReadOnlyList<ProjectionCheckpoint>> ReadProjectionCheckpointsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, position, state_type, state, saved_at FROM projection_checkpoints ORDER BY name;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var checkpoints = new List<ProjectionCheckpoint>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            checkpoints.Add(new ProjectionCheckpoint(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        }
        return checkpoints;
    }

    public async Task SaveProjectionCheckpointsAsync(IReadOnlyList<ProjectionCheckpoint> checkpoints, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        foreach (var checkpoint in checkpoints)
            EventStoreArguments.ValidateProjectionCheckpoint(checkpoint);
        await using var connection = Open();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var checkpoint in checkpoints)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO projection_checkpoints (name, position, state_type, state, saved_at) VALUES ($name, $position, $type, $state, $at)
                ON CONFLICT (name) DO UPDATE SET position = excluded.position, state_type = excluded.state_type, state = excluded.state, saved_at = excluded.saved_at;
                """;
            command.Parameters.AddWithValue("$name", checkpoint.Name);
            command.Parameters.AddWithValue("$position", checkpoint.Position);
            command.Parameters.AddWithValue("$type", checkpoint.StateType);
            command.Parameters.AddWithValue("$state", checkpoint.State);
            command.Parameters.AddWithValue("$at", checkpoint.SavedAt.ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteProjectionCheckpointAsync(string name, CancellationToken cancellationToken = default)
    {
        EventStoreArguments.ValidateProjectionName(name);
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM projection_checkpoints WHERE name = $name;";
        command.Parameters.AddWithValue("$name", name);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
