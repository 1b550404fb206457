namespace Caas.Recovery.Sagas;

/// <summary>Scheduled when the restore completed; arrives if monitoring did not see the job progress in time.</summary>
public sealed record VerifyTimedOut(Guid IncidentId) : IIncidentTimeout;
