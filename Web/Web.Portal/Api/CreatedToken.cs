namespace Caas.Web.Portal.Api;

/// <summary>A new token with its secret: the only time the secret is shown.</summary>
public sealed record CreatedToken(string Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string Token);
