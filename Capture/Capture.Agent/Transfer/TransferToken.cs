namespace Caas.Capture.Agent.Transfer;

/// <summary>What a transfer token allows: Purpose on checkpoint Sequence of JobId (and the checkpoints it was taken after), for TargetNodeId, until ExpiresAt.</summary>
public sealed record TransferToken(string Purpose, string JobId, int Sequence, string TargetNodeId, DateTimeOffset ExpiresAt);
