namespace Caas.Monitoring.Grains.Migration;

/// <summary>
/// One image transfer's end, keyed by its transfer id: the agent's report may reach any silo's consumer, and the
/// migration waiting for it may run on another, so they meet here. In memory: a transfer outlives no silo restart
/// (the migration then gives up on it after its step timeout and restores the job where it was).
/// </summary>
public interface ITransferOutcomeGrain : IGrainWithGuidKey
{
    /// <param name="problem">Null when the image arrived, else why it did not.</param>
    Task Report(string? problem);

    Task<TransferEnd?> Outcome();
}

[GenerateSerializer, Immutable]
public sealed record TransferEnd([property: Id(0)] string? Problem);
