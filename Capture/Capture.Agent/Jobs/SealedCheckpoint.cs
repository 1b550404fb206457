namespace Caas.Capture.Agent.Jobs;

/// <summary>A sealed checkpoint bundle on this node; <paramref name="ParentSequence"/> is the one it needs to be restored, if it is incremental.</summary>
public sealed record SealedCheckpoint(int Sequence, string Directory, int? ParentSequence);
