namespace Caas.Recovery.Sagas;

/// <summary>A message that cannot open an incident. It is not retried: it faults to the error queue and no incident is recorded.</summary>
public sealed class InvalidRecoveryMessageException(string message) : Exception(message);
