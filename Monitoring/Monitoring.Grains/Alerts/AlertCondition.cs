using Caas.Contracts.Alerts;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>A condition of <paramref name="Kind"/> on <paramref name="Subject"/> began (<paramref name="Holds"/>) or ended at <paramref name="At"/>.</summary>
public sealed record AlertCondition(AlertKind Kind, AlertSubject Subject, bool Holds, string Message, DateTimeOffset At);
