namespace Caas.Recovery.Sagas;

/// <summary>Sent to each open incident when a host starts, so that its step's timeout is scheduled again for the time left.</summary>
public sealed record RearmRecoveryTimeout(Guid IncidentId);
