using Caas.Monitoring.Grains.ReadModels;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>
/// The alerts read model as one projection: which conditions hold per job (<see cref="AlertConditions"/>, folded from job
/// events with the job list's jobs, which it therefore reads) and the alert lifecycle folded from alert and silence
/// streams (<see cref="AlertLifecycle"/>). Saved and restored together, so they never disagree after a restart.
/// </summary>
public sealed class AlertsProjection(AlertConditions conditions, AlertLifecycle lifecycle) : IProjection
{
    public const string ProjectionName = "alerts";

    public string Name => ProjectionName;
    public string StateType => "Alerts/1";
    public IReadOnlyList<string> Reads => [JobListProjection.ProjectionName];

    public string SaveState() => ProjectionJson.Serialize(new SavedAlerts(conditions.Holding().ToList(), lifecycle.Save()));

    public void RestoreState(string state)
    {
        var saved = ProjectionJson.Deserialize<SavedAlerts>(state);
        conditions.Restore(saved.Holding);
        lifecycle.Restore(saved.Lifecycle);
    }

    public void Reset()
    {
        conditions.Restore([]);
        lifecycle.Restore(null);
    }

    private sealed record SavedAlerts(List<HeldCondition> Holding, SavedAlertLifecycle Lifecycle);
}
