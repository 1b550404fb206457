using System.Security.Claims;

namespace Caas.Web.Portal.Security;

/// <summary>
/// The three roles. Each includes the ones below it: an admin's principal carries admin, operator and viewer,
/// so a check asks only for the least role an action needs.
/// </summary>
public static class CaasRoles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [Viewer, Operator, Admin];

    public static bool IsValid(string? role) => role is Viewer or Operator or Admin;

    public static IEnumerable<string> Granted(string role) => role switch
    {
        Admin => [Admin, Operator, Viewer],
        Operator => [Operator, Viewer],
        _ => [Viewer],
    };

    public static ClaimsPrincipal Principal(UserAccount user, string authenticationType)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, user.Name), new(PrimaryRoleClaim, user.Role) };
        claims.AddRange(Granted(user.Role).Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>The role the user was given (the header shows it); the role claims hold every role it includes.</summary>
    public const string PrimaryRoleClaim = "caas:role";

    public static string PrimaryRole(ClaimsPrincipal user) => user.FindFirst(PrimaryRoleClaim)?.Value ?? Viewer;
}
