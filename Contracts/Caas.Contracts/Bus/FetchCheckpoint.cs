namespace Caas.Contracts.Bus;

/// <summary>
/// Command from the source agent to the agent of TargetNodeId: pull checkpoint Sequence of the job from
/// SourceUrl with Token (an "image-read" token for this checkpoint and this target, valid until ExpiresAt).
/// The target reports <see cref="CheckpointTransferProgress"/>, then <see cref="CheckpointTransferred"/> or
/// <see cref="CheckpointTransferFailed"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FetchCheckpoint(
    [property: Id(0)] string JobId,
    [property: Id(1)] int Sequence,
    [property: Id(2)] string SourceNodeId,
    [property: Id(3)] string TargetNodeId,
    [property: Id(4)] Guid TransferId,
    [property: Id(5)] string SourceUrl,
    [property: Id(6)] string Token,
    [property: Id(7)] DateTimeOffset ExpiresAt)
{
    /// <summary>Without the token: it is a credential, and records print every member by default.</summary>
    public override string ToString() =>
        $"FetchCheckpoint {{ JobId = {JobId}, Sequence = {Sequence}, SourceNodeId = {SourceNodeId}, TargetNodeId = {TargetNodeId}, TransferId = {TransferId}, SourceUrl = {SourceUrl}, ExpiresAt = {ExpiresAt:O} }}";
}
