using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>An alert condition that holds for a job, as the alerts projection saves it.</summary>
public sealed record HeldCondition(string JobId, AlertKind Kind);
