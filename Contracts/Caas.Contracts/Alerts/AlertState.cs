namespace Caas.Contracts.Alerts;

/// <summary>Where an alert is in its lifecycle. Firing is 0 so that an alert made without a state is a firing one.</summary>
public enum AlertState { Firing = 0, Pending = 1, Acknowledged = 2, Resolved = 3 }
