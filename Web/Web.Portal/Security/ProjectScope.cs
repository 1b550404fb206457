namespace Caas.Web.Portal.Security;

/// <summary>Which projects' jobs a user may see: every project for an admin, else the projects they are in.</summary>
public sealed record ProjectScope(bool AllProjects, IReadOnlyList<string> Projects)
{
    public static readonly ProjectScope Everything = new(true, []);

    /// <summary>The filter to hand to queries: null for every project.</summary>
    public IReadOnlyList<string>? Filter => AllProjects ? null : Projects;

    public bool Includes(string project) => AllProjects || Projects.Contains(project, StringComparer.Ordinal);

    /// <summary>
    /// The filter for jobs of <paramref name="project"/> only (the whole scope when null): a project outside the scope
    /// gives an empty filter, so it shows no jobs, the same as a project that has none (which projects exist does not leak).
    /// </summary>
    public IReadOnlyList<string>? FilterTo(string? project) =>
        project is null ? Filter : Includes(project) ? [project] : [];
}
