namespace Caas.Web.Portal.Api;

/// <summary>Answer to a restore request: the incident whose recovery saga carries it out.</summary>
public sealed record RestoreAccepted(Guid IncidentId);
