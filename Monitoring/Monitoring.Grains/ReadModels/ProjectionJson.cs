using System.Text.Json;
using System.Text.Json.Serialization;

namespace Caas.Monitoring.Grains.ReadModels;

/// <summary>How projections write their saved state: web names, enums by name (so a renumbered enum does not misread).</summary>
internal static class ProjectionJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize<T>(T state) => JsonSerializer.Serialize(state, Options);

    /// <exception cref="JsonException">The text is not a <typeparamref name="T"/>.</exception>
    public static T Deserialize<T>(string state) =>
        JsonSerializer.Deserialize<T>(state, Options) ?? throw new JsonException($"The saved state is not a {typeof(T).Name}.");
}
