using Caas.Web.Portal.Security;

namespace Caas.Portal.Tests.Fakes;

/// <summary>Project memberships for component tests: every user is in "default" unless a test says otherwise.</summary>
public sealed class FakeProjectMemberships : IProjectMemberships
{
    public Dictionary<string, IReadOnlyList<string>> Projects { get; } = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<string>> ProjectsOfAsync(string userName, CancellationToken ct = default) =>
        Task.FromResult(Projects.TryGetValue(userName, out var projects) ? projects : (IReadOnlyList<string>)[JobProjects.Default]);
}
