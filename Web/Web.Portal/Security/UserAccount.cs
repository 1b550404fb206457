namespace Caas.Web.Portal.Security;

/// <summary>A person who may log in; the password hash never leaves the store.</summary>
public sealed record UserAccount(string Name, string Role, DateTimeOffset CreatedAt);
