using System.Text.Json.Serialization;

namespace Caas.Web.Portal.Api;

/// <summary>Body of POST /api/v1/account/password: the user's current password, then the new one (at least 12 characters).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ChangePasswordRequest(string? CurrentPassword = null, string? NewPassword = null);
