namespace Caas.Capture.Agent.Transfer;

/// <summary>Where a checkpoint is fetched from: the source agent's transfer server and the token it minted for this target.</summary>
public sealed record CheckpointSource(Uri ServerUrl, string Token, string JobId, int Sequence)
{
    /// <summary>Without the token, which is a credential.</summary>
    public override string ToString() => $"checkpoint {Sequence} of job {JobId} at {ServerUrl}";
}
