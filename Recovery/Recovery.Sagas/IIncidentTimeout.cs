namespace Caas.Recovery.Sagas;

/// <summary>A timeout the saga schedules for itself: it names the incident it belongs to.</summary>
public interface IIncidentTimeout
{
    Guid IncidentId { get; }
}
