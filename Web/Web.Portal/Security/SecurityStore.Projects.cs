using System.Data.Common;

namespace Caas.Web.Portal.Security;

/// <summary>Projects and who is in them, in the same database as users and tokens.</summary>
public abstract partial class SecurityStore
{
    /// <summary>Creates an empty project; refuses a bad or taken name, changing nothing.</summary>
    public async Task<ProjectInfo> CreateProjectAsync(string name, CancellationToken ct = default)
    {
        if (!JobProjects.IsValidName(name))
            throw new OperationRejectedException(RejectionKind.Invalid, JobProjects.NameRule("name"));
        var project = new ProjectInfo(name, clock.GetUtcNow(), []);
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = "INSERT INTO security_projects (name, created_at) VALUES (@name, @at) ON CONFLICT (name) DO NOTHING";
        command.Set("@name", name);
        command.Set("@at", Time(project.CreatedAt));
        if (await command.ExecuteNonQueryAsync(ct) == 0)
            throw new OperationRejectedException(RejectionKind.Conflict, $"There is already a project named '{name}'.");
        return project;
    }

    public async Task<IReadOnlyList<ProjectInfo>> ListProjectsAsync(CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = """
            SELECT p.name, p.created_at, m.user_name FROM security_projects p
            LEFT JOIN security_memberships m ON m.project = p.name ORDER BY p.name, m.user_name
            """;
        await using var reader = await command.ExecuteReaderAsync(ct);
        var projects = new List<ProjectInfo>();
        var members = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            if (projects.Count == 0 || projects[^1].Name != reader.GetString(0))
            {
                members = [];
                projects.Add(new ProjectInfo(reader.GetString(0), ReadTime(reader, 1), members));
            }
            if (!reader.IsDBNull(2))
                members.Add(reader.GetString(2));
        }
        return projects;
    }

    /// <summary>The projects <paramref name="userName"/> is in, by name; empty for an unknown user.</summary>
    public async Task<IReadOnlyList<string>> ProjectsOfAsync(string userName, CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT project FROM security_memberships WHERE user_name = @user ORDER BY project";
        command.Set("@user", userName);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var projects = new List<string>();
        while (await reader.ReadAsync(ct))
            projects.Add(reader.GetString(0));
        return projects;
    }

    /// <returns>False when the user already was in the project (nothing changed).</returns>
    public async Task<bool> AddMemberAsync(string project, string userName, CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        await RequireProjectsExistAsync(db, [project], ct);
        await RequireUserExistsAsync(db, userName, ct);
        return await InsertMembershipAsync(db, userName, project, ct);
    }

    /// <summary>Takes the user out of the project; refused when they are not in it.</summary>
    public async Task RemoveMemberAsync(string project, string userName, CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        await RequireProjectsExistAsync(db, [project], ct);
        await RequireUserExistsAsync(db, userName, ct);
        await using var command = db.CreateCommand();
        command.CommandText = "DELETE FROM security_memberships WHERE user_name = @user AND project = @project";
        command.Set("@user", userName);
        command.Set("@project", project);
        if (await command.ExecuteNonQueryAsync(ct) == 0)
            throw new OperationRejectedException(RejectionKind.NotFound, $"{userName} is not in project '{project}'.");
    }

    private static async Task<bool> InsertMembershipAsync(DbConnection db, string userName, string project, CancellationToken ct)
    {
        await using var command = db.CreateCommand();
        command.CommandText = "INSERT INTO security_memberships (user_name, project) VALUES (@user, @project) ON CONFLICT DO NOTHING";
        command.Set("@user", userName);
        command.Set("@project", project);
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }

    private static async Task RequireProjectsExistAsync(DbConnection db, IReadOnlyCollection<string> projects, CancellationToken ct)
    {
        foreach (var project in projects)
        {
            await using var command = db.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM security_projects WHERE name = @name";
            command.Set("@name", project);
            if (Count(await command.ExecuteScalarAsync(ct)) == 0)
                throw new OperationRejectedException(RejectionKind.Invalid, $"There is no project named '{project}'; an admin creates it first (caas projects create {project}).");
        }
    }

    private static async Task RequireUserExistsAsync(DbConnection db, string userName, CancellationToken ct)
    {
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM security_users WHERE name = @name";
        command.Set("@name", userName);
        if (Count(await command.ExecuteScalarAsync(ct)) == 0)
            throw new OperationRejectedException(RejectionKind.NotFound, $"There is no user named '{userName}'.");
    }
}
