using System.CommandLine;
using Caas.Contracts.Audit;
using Caas.Contracts.Views;

namespace Caas.Web.Cli;

/// <summary>`caas projects` (admins manage projects and their members) and `caas audit` (admins read the audit trail).</summary>
internal static class AccessCommands
{
    public static Command Projects(Option<string> url, Option<bool> json, Func<string?> token, TextWriter output, TextWriter error)
    {
        Func<ParseResult, CancellationToken, Task<int>> listProjects = (parse, ct) => CliApp.Run(parse, url, token(), output, error, async api =>
        {
            var text = await api.GetAsync("projects", ct);
            if (parse.GetValue(json))
                CliApp.WriteJson(output, text);
            else
                foreach (var project in PlatformApi.Read<List<ProjectListing>>(text))
                    output.WriteLine($"{project.Name,-24} {(project.Members.Count == 0 ? "(no members)" : string.Join(", ", project.Members))}");
        });
        var list = new Command("list", "List projects and their members.") { json };
        list.SetAction(listProjects);

        var name = new Argument<string>("project") { Description = "The project's name: lower-case letters, digits, '-', '_' or '.'." };
        var create = new Command("create", "Create a project.") { name };
        create.SetAction((parse, ct) => CliApp.Run(parse, url, token(), output, error, async api =>
        {
            await api.PostAsync("projects", new { name = parse.GetValue(name) }, ct);
            output.WriteLine($"Project {parse.GetValue(name)} created; add members with: caas projects add {parse.GetValue(name)} USER");
        }));

        var user = new Argument<string>("user") { Description = "The user's name." };
        var add = new Command("add", "Put a user in a project: they see and (as operators) steer its jobs.") { name, user };
        add.SetAction((parse, ct) => CliApp.Run(parse, url, token(), output, error, async api =>
        {
            var (project, member) = (parse.GetValue(name)!, parse.GetValue(user)!);
            await api.PutAsync($"projects/{Uri.EscapeDataString(project)}/members/{Uri.EscapeDataString(member)}", null, ct);
            output.WriteLine($"{member} is in project {project}.");
        }));
        var remove = new Command("remove", "Take a user out of a project.") { name, user };
        remove.SetAction((parse, ct) => CliApp.Run(parse, url, token(), output, error, async api =>
        {
            var (project, member) = (parse.GetValue(name)!, parse.GetValue(user)!);
            await api.DeleteAsync($"projects/{Uri.EscapeDataString(project)}/members/{Uri.EscapeDataString(member)}", ct);
            output.WriteLine($"{member} is no longer in project {project}.");
        }));

        var projects = new Command("projects", "Projects and who is in them (admins).") { json, list, create, add, remove };
        projects.SetAction(listProjects);
        return projects;
    }

    public static Command Audit(Option<string> url, Option<bool> json, Func<string?> token, TextWriter output, TextWriter error)
    {
        var user = new Option<string?>("--user") { Description = "Only what this user did (or failed to do)." };
        var action = new Option<string?>("--action") { Description = "Only this action, e.g. job.kill, or a prefix such as job." };
        var skip = new Option<int>("--skip") { Description = "Records to skip (newest first).", DefaultValueFactory = _ => 0 };
        var take = new Option<int>("--take") { Description = "Records to show.", DefaultValueFactory = _ => 50 };
        var audit = new Command("audit", "The audit trail, newest first: who did what, when, and how it ended (admins).") { user, action, skip, take, json };
        audit.SetAction((parse, ct) => CliApp.Run(parse, url, token(), output, error, async api =>
        {
            var query = $"audit?skip={parse.GetValue(skip)}&take={parse.GetValue(take)}"
                + (parse.GetValue(user) is { } u ? $"&user={Uri.EscapeDataString(u)}" : "")
                + (parse.GetValue(action) is { } a ? $"&action={Uri.EscapeDataString(a)}" : "");
            var text = await api.GetAsync(query, ct);
            if (parse.GetValue(json))
            {
                CliApp.WriteJson(output, text);
                return;
            }
            var page = PlatformApi.Read<Page<AuditRecord>>(text);
            foreach (var record in page.Items)
                output.WriteLine($"{record.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {record.User,-12} {record.Action,-22} {record.Outcome,-9} {record.Target}"
                    + (record.Reason is null ? "" : $" ({record.Reason})"));
            output.WriteLine(page.Total == 0 ? "No audit records match." : $"{page.Skip + 1}-{page.Skip + page.Items.Count} of {page.Total} records, newest first");
        }));
        return audit;
    }

    /// <summary>`caas nodes enroll NODE` (prints the agent's credential once) and `caas nodes revoke NODE`, for admins.</summary>
    public static IEnumerable<Command> NodeCredentials(Option<string> url, Argument<string> nodeId, Func<string?> token, TextWriter output, TextWriter error)
    {
        var enroll = new Command("enroll", "Create the node's agent credential (replacing any earlier one) and print it once; start the agent with it as Caas__Agent__Credential.") { nodeId };
        enroll.SetAction((parse, ct) => CliApp.Run(parse, url, token(), output, error, async api =>
        {
            var id = parse.GetValue(nodeId)!;
            using var answer = System.Text.Json.JsonDocument.Parse(await api.PostAsync($"nodes/{Uri.EscapeDataString(id)}/enroll", null, ct));
            output.WriteLine(answer.RootElement.GetProperty("credential").GetString());
            error.WriteLine($"caas: node {id} enrolled; the credential above is shown only now. Start its agent with Caas__Agent__Credential=<it> in the environment.");
        }));
        var revoke = new Command("revoke", "Revoke the node's agent credential: the platform refuses the agent's reports from now on.") { nodeId };
        revoke.SetAction((parse, ct) => CliApp.Run(parse, url, token(), output, error, async api =>
        {
            var id = parse.GetValue(nodeId)!;
            await api.DeleteAsync($"nodes/{Uri.EscapeDataString(id)}/credential", ct);
            output.WriteLine($"The credential of node {id} is revoked; its agent's reports are refused until it is enrolled again.");
        }));
        return [enroll, revoke];
    }

    /// <summary>A project as GET /api/v1/projects lists it.</summary>
    private sealed record ProjectListing(string Name, IReadOnlyList<string> Members);
}
