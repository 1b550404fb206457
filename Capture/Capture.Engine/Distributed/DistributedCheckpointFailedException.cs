namespace Caas.Capture.Engine.Distributed;

/// <summary>A coordinated checkpoint or restore failed in one or more ranks and was undone; the message names them and why.</summary>
public sealed class DistributedCheckpointFailedException(string message, IReadOnlyList<int> failedRanks) : Exception(message)
{
    public IReadOnlyList<int> FailedRanks { get; } = failedRanks;
}
