using System.Text.Json.Serialization;

namespace Caas.Web.Portal.Api;

/// <summary>Body of POST /api/v1/projects (admins only).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateProjectRequest(string? Name = null);
