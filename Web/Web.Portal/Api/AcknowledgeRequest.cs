using System.Text.Json.Serialization;
namespace Caas.Web.Portal.Api;

/// <summary>Body of POST /api/v1/alerts/{id}/ack (optional).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AcknowledgeRequest(string? Comment = null);
