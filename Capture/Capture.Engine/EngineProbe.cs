namespace Caas.Capture.Engine;

/// <summary>Result of asking an engine whether it works here. Version reads like "criu 4.2.1".</summary>
public sealed record EngineProbe(bool Usable, string? Version, string? Problem);
