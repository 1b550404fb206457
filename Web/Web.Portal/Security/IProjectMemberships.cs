namespace Caas.Web.Portal.Security;

/// <summary>Which projects a user is in: what <see cref="JobVisibility"/> needs of the users store.</summary>
public interface IProjectMemberships
{
    /// <summary>The projects <paramref name="userName"/> is in, by name; empty for an unknown user.</summary>
    Task<IReadOnlyList<string>> ProjectsOfAsync(string userName, CancellationToken ct = default);
}
