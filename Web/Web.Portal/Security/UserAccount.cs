namespace Caas.Web.Portal.Security;

/// <summary>A person who may log in; the password hash never leaves the store.</summary>
public sealed record UserAccount(string Name, string Role, DateTimeOffset CreatedAt)
{
    /// <summary>The projects whose jobs the user sees and (with the operator role) steers; admins see every project's.</summary>
    public IReadOnlyList<string> Projects { get; init; } = [];
}
