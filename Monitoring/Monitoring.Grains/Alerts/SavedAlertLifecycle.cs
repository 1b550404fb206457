using Caas.Contracts.Alerts;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary><see cref="AlertLifecycle"/>'s folded state as the alerts projection saves it.</summary>
internal sealed record SavedAlertLifecycle(List<TrackedAlert> Alerts, List<SavedSilence> Silences, List<AlertView> Resolved);

internal sealed record SavedSilence(long Version, SilenceView View);
