namespace Caas.Monitoring.Grains;

/// <summary>
/// The service key of the <see cref="TimeProvider"/> that monitoring decisions read. Keyed, so a test can
/// fake monitoring's clock without also faking the one Orleans runs its own timeouts and liveness on.
/// </summary>
public static class MonitoringClock
{
    public const string Key = "caas-monitoring";
}
