namespace Caas.Capture.Agent.Transfer;

/// <summary>A finished transfer: bytes that crossed the network (resumed requests included), how long it took, and how many bundles it added (0 when all were already here).</summary>
public sealed record TransferOutcome(long BytesMoved, TimeSpan Duration, int BundlesFetched);
