namespace Caas.Capture.Agent.Transfer;

/// <summary>How far a transfer is: bundle bytes in place of those known so far (a parent chain adds to the total as its manifests arrive), and the network rate.</summary>
public sealed record TransferProgress(long BytesDone, long BytesTotal, double BytesPerSecond);
