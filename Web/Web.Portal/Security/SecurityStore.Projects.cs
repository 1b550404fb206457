using Microsoft.Data.Sqlite;

namespace Caas.Web.Portal.Security;

/// <summary>Projects and who is in them, in the same database as users and tokens.</summary>
public sealed partial class SecurityStore
{
    /// <summary>Creates an empty project; refuses a bad or taken name, changing nothing.</summary>
    public async Task<ProjectInfo> CreateProjectAsync(string name, CancellationToken ct = default)
    {
        if (!JobProjects.IsValidName(name))
            throw new OperationRejectedException(RejectionKind.Invalid, JobProjects.NameRule("name"));
        var project = new ProjectInfo(name, clock.GetUtcNow(), []);
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = "INSERT INTO security_projects (name, created_at) VALUES ($name, $at) ON CONFLICT (name) DO NOTHING";
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$at", Text(project.CreatedAt));
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
                projects.Add(new ProjectInfo(reader.GetString(0), Parse(reader.GetString(1)), members));
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
        command.CommandText = "SELECT project FROM security_memberships WHERE user_name = $user ORDER BY project";
        command.Parameters.AddWithValue("$user", userName);
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
        command.CommandText = "DELETE FROM security_memberships WHERE user_name = $user AND project = $project";
        command.Parameters.AddWithValue("$user", userName);
        command.Parameters.AddWithValue("$project", project);
        if (await command.ExecuteNonQueryAsync(ct) == 0)
            throw new OperationRejectedException(RejectionKind.NotFound, $"{userName} is not in project '{project}'.");
    }

    private static async Task<bool> InsertMembershipAsync(SqliteConnection db, string userName, string project, CancellationToken ct)
    {
        await using var command = db.CreateCommand();
        command.CommandText = "INSERT INTO security_memberships (user_name, project) VALUES ($user, $project) ON CONFLICT DO NOTHING";
        command.Parameters.AddWithValue("$user", userName);
        command.Parameters.AddWithValue("$project", project);
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }

    private static async Task RequireProjectsExistAsync(SqliteConnection db, IReadOnlyCollection<string> projects, CancellationToken ct)
    {
        foreach (var project in projects)
        {
            await using var command = db.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM security_projects WHERE name = $name";
            command.Parameters.AddWithValue("$name", project);
            if (Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) == 0)
                throw new OperationRejectedException(RejectionKind.Invalid, $"There is no project named '{project}'; an admin creates it first (caas projects create {project}).");
        }
    }

    private static async Task RequireUserExistsAsync(SqliteConnection db, string userName, CancellationToken ct)
    {
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM security_users WHERE name = $name";
        command.Parameters.AddWithValue("$name", userName);
        if (Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) == 0)
            throw new OperationRejectedException(RejectionKind.NotFound, $"There is no user named '{userName}'.");
    }

    /// <summary>
    /// The project tables, and the default project. A database from before projects existed gets its users put in the
    /// default project, where every job recorded until then belongs, so nobody loses sight of their jobs on upgrade.
    /// </summary>
    private async Task EnsureProjectSchemaAsync(SqliteConnection db, CancellationToken ct)
    {
        await using var command = db.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS security_projects (name TEXT PRIMARY KEY, created_at TEXT NOT NULL);
            INSERT INTO security_projects (name, created_at) VALUES ($default, $at) ON CONFLICT (name) DO NOTHING;
            CREATE TABLE IF NOT EXISTS security_memberships (
                user_name TEXT NOT NULL REFERENCES security_users(name), project TEXT NOT NULL REFERENCES security_projects(name),
                PRIMARY KEY (user_name, project));
            INSERT INTO security_memberships (user_name, project)
                SELECT name, $default FROM security_users u WHERE NOT EXISTS (SELECT 1 FROM security_memberships m WHERE m.user_name = u.name)
                AND NOT EXISTS (SELECT 1 FROM security_memberships);
            """;
        command.Parameters.AddWithValue("$default", JobProjects.Default);
        command.Parameters.AddWithValue("$at", Text(clock.GetUtcNow()));
        await command.ExecuteNonQueryAsync(ct);
    }
}
