using System.Text.Json;

namespace Caas.Recovery.Sagas.Persistence;

/// <summary>How every saga store writes an instance: the same JSON on SQLite and PostgreSQL, so a database can be moved between them.</summary>
internal static class SagaJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General);

    public static string Serialize<TSaga>(TSaga saga) => JsonSerializer.Serialize(saga, Options);

    /// <param name="version">The row's version column: the version the next update must match, whatever the JSON says.</param>
    public static TSaga Deserialize<TSaga>(string json, int version, string table)
        where TSaga : class, MassTransit.ISagaVersion
    {
        var saga = JsonSerializer.Deserialize<TSaga>(json, Options)
            ?? throw new InvalidDataException($"Row of {table} holds no saga.");
        saga.Version = version;
        return saga;
    }
}
