using System.Text.Json;
using System.Text.Json.Serialization;
using Caas.Monitoring.EventStore;

namespace Caas.Monitoring.Grains;

/// <summary>
/// A job's folded state as a stream snapshot, so activating a job with a long history (one heartbeat event a
/// second) replays only the events after it. The type name carries the layout's version; a snapshot of another
/// layout is ignored and the stream replayed from the start.
/// </summary>
public static class JobStateSnapshot
{
    public const string Type = "JobState/3";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The state as of its last event; null for a job with no events.</summary>
    public static StreamSnapshot? Of(JobState state) => state.Version == 0
        ? null
        : new StreamSnapshot(state.JobId, state.Version - 1, Type, JsonSerializer.Serialize(state, Json));

    /// <returns>Null when the snapshot has another layout or does not match its stream.</returns>
    public static JobState? Restore(StreamSnapshot snapshot)
    {
        if (snapshot.Type != Type)
            return null;
        var state = JsonSerializer.Deserialize<JobState>(snapshot.Data, Json);
        return state is not null && state.JobId == snapshot.Stream && state.Version == snapshot.Version + 1 ? state : null;
    }
}
