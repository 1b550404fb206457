namespace Caas.Recovery.Sagas;

/// <summary>Scheduled when RestoreJob is sent; arrives if the agent did not answer in time.</summary>
public sealed record RestoreTimedOut(Guid IncidentId) : IIncidentTimeout;
