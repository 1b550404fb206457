namespace Caas.Recovery.Sagas;

/// <summary>Scheduled when placement is asked for (or retried later): arrives if no node was found in time, and then asks again or gives up.</summary>
public sealed record PlacementTimedOut(Guid IncidentId) : IIncidentTimeout;
