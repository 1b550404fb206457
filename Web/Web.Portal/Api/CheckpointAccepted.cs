namespace Caas.Web.Portal.Api;

/// <summary>Answer to a checkpoint request: the sequence number the new checkpoint will have.</summary>
public sealed record CheckpointAccepted(int Sequence);
