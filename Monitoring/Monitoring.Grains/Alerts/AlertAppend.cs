namespace Caas.Monitoring.Grains.Alerts;

/// <summary>
/// A decision of <see cref="AlertLifecycle"/>: append <paramref name="Events"/> to <paramref name="Stream"/> when it is at
/// <paramref name="ExpectedVersion"/> (-1: new), then send <paramref name="Notification"/> when there is one.
/// </summary>
public sealed record AlertAppend(string Stream, long ExpectedVersion, IReadOnlyList<object> Events, AlertNotification? Notification = null);
