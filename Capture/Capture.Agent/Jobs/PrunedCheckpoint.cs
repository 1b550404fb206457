namespace Caas.Capture.Agent.Jobs;

/// <summary>A checkpoint bundle that retention deleted, how many bytes that freed and which rule removed it.</summary>
public sealed record PrunedCheckpoint(string JobId, int Sequence, long Bytes, string Reason);
