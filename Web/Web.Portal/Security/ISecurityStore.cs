using Caas.Contracts.Services;

namespace Caas.Web.Portal.Security;

/// <summary>
/// Who may do what: users and their passwords, API tokens, projects and their members, agents' credentials. Every
/// web host (and in a cluster every silo, for agents' credentials) asks the same store, so a token revoked through
/// one host is refused by all of them. Bad input is refused with <see cref="OperationRejectedException"/> and changes
/// nothing; secrets are kept only as hashes.
/// </summary>
public interface ISecurityStore : IProjectMemberships, IAgentCredentials
{
    Task<int> CountUsersAsync(CancellationToken ct = default);

    /// <summary>Creates a user in the default project; refuses a bad name, role or short password, or a name already taken.</summary>
    Task<UserAccount> CreateUserAsync(string name, string password, string role, CancellationToken ct = default);

    /// <summary>Creates a user in <paramref name="projects"/> (the default project when null), which must exist.</summary>
    Task<UserAccount> CreateUserAsync(string name, string password, string role, IReadOnlyList<string>? projects, CancellationToken ct = default);

    Task<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken ct = default);

    /// <returns>The user when the name and password match; null otherwise (without saying which was wrong).</returns>
    Task<UserAccount?> VerifyPasswordAsync(string name, string password, CancellationToken ct = default);

    Task ChangePasswordAsync(string name, string currentPassword, string newPassword, CancellationToken ct = default);

    /// <returns>The token's public description and its secret, which is not stored and cannot be shown again.</returns>
    Task<(ApiTokenInfo Token, string Secret)> CreateTokenAsync(string userName, string name, TimeSpan? lifetime, CancellationToken ct = default);

    /// <summary>The token's user, or why it is refused (unknown, revoked, expired).</summary>
    Task<ApiTokenCheck> CheckTokenAsync(string secret, CancellationToken ct = default);

    Task<IReadOnlyList<ApiTokenInfo>> ListTokensAsync(string userName, CancellationToken ct = default);

    /// <summary>Revokes one of the user's own tokens; a token of someone else counts as not found.</summary>
    Task RevokeTokenAsync(string userName, string tokenId, CancellationToken ct = default);

    Task<ProjectInfo> CreateProjectAsync(string name, CancellationToken ct = default);

    Task<IReadOnlyList<ProjectInfo>> ListProjectsAsync(CancellationToken ct = default);

    /// <returns>False when the user already was in the project (nothing changed).</returns>
    Task<bool> AddMemberAsync(string project, string userName, CancellationToken ct = default);

    Task RemoveMemberAsync(string project, string userName, CancellationToken ct = default);

    /// <returns>The enrollment and its secret, which is not stored and cannot be shown again; replaces an earlier one.</returns>
    Task<(AgentEnrollment Enrollment, string Secret)> EnrollAgentAsync(string nodeId, CancellationToken ct = default);

    Task RevokeAgentAsync(string nodeId, CancellationToken ct = default);

    Task<IReadOnlyList<AgentEnrollment>> ListAgentsAsync(CancellationToken ct = default);
}
