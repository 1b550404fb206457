namespace Caas.Capture.Engine;

/// <summary>An engine operation failed; the message says why, for people.</summary>
public sealed class CheckpointEngineException(string message) : Exception(message);
