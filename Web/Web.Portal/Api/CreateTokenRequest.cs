using System.Text.Json.Serialization;

namespace Caas.Web.Portal.Api;

/// <summary>Body of POST /api/v1/tokens: what the token is for, and how many days it lives (default 30).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateTokenRequest(string? Name = null, int? ExpiresInDays = null);
