namespace Caas.Web.Portal.Security;

/// <summary>What the owner may see of a token: never the secret, which only its creator saw, once.</summary>
public sealed record ApiTokenInfo(string Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt);
