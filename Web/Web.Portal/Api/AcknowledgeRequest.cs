namespace Caas.Web.Portal.Api;

/// <summary>Body of POST /api/v1/alerts/{id}/ack (optional).</summary>
public sealed record AcknowledgeRequest(string? Comment = null);
