using Npgsql;

namespace Caas.Monitoring.EventStore;

/// <summary>
/// Wakes a caught-up subscription when any process commits an append (append_events notifies <see cref="Channel"/>).
/// Only a hint: when the listening connection cannot be had, or breaks, waits simply run to their timeout and the
/// subscription's polling carries on alone.
/// </summary>
internal sealed class PostgresAppendListener(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    public const string Channel = "caas_events";

    private NpgsqlConnection? _connection;

    /// <summary>Listens from now on (if not already): call before reading, so a commit after the read is not missed.</summary>
    public async Task ListenAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
            return;
        NpgsqlConnection? connection = null;
        try
        {
            connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var listen = new NpgsqlCommand($"LISTEN {Channel};", connection);
            await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            _connection = connection;
        }
        catch (NpgsqlException)
        {
            if (connection is not null)
                await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Returns when an append was committed since listening began or the last wait, or after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            await Task.Delay(timeout, cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            await _connection.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // Listen again on a fresh connection before the next read.
            await DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        var connection = _connection;
        _connection = null;
        if (connection is not null)
            await connection.DisposeAsync().ConfigureAwait(false);
    }
}
