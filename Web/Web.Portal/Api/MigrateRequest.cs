using System.Text.Json.Serialization;

namespace Caas.Web.Portal.Api;

/// <summary>Body of POST /jobs/{id}/migrate: exactly one of a node or a pool to move the job to.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MigrateRequest(string? Node = null, string? Pool = null);
