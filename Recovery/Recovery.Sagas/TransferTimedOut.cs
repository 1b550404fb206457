namespace Caas.Recovery.Sagas;

/// <summary>Scheduled when TransferCheckpoint is sent; arrives if the image did not reach the target in time.</summary>
public sealed record TransferTimedOut(Guid IncidentId) : IIncidentTimeout;
