namespace Caas.Capture.Engine;

/// <summary>How long the job was frozen, and how long the whole dump took, as the engine measured them.</summary>
public sealed record CheckpointTimings(TimeSpan AppPause, TimeSpan Dump);
