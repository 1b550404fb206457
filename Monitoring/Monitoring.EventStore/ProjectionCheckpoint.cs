namespace Caas.Monitoring.EventStore;

/// <summary>
/// What a projection has folded, saved with the global position of the last event in it: loading both together means
/// resuming after exactly that event, so no event is applied twice or skipped. <see cref="StateType"/> names the state's
/// layout (with its version); a projection ignores a checkpoint of a layout it does not know and rebuilds from position 0.
/// </summary>
public sealed record ProjectionCheckpoint(string Name, long Position, string StateType, string State, DateTimeOffset SavedAt);
