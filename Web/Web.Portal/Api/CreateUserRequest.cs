using System.Text.Json.Serialization;

namespace Caas.Web.Portal.Api;

/// <summary>Body of POST /api/v1/users (admins only).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
/// <param name="Projects">The projects the user sees jobs of; ["default"] when absent.</param>
public sealed record CreateUserRequest(string? Name = null, string? Password = null, string? Role = null, IReadOnlyList<string>? Projects = null);
