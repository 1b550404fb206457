using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace Caas.Web.Portal.Security;

/// <summary>
/// Who sees which jobs. The one rule, applied by the API and the portal alike: a job outside the user's projects does
/// not exist for them, so reading or acting on it is a 404 "No job has id" (its existence does not leak); submitting
/// into a project the user is not in is a 403. Memberships are read from the store on every check, so a change by an
/// admin applies at once, also to open portal pages.
/// </summary>
public sealed class JobVisibility(IProjectMemberships memberships, IJobQueries queries)
{
    public async Task<ProjectScope> ScopeAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (user.IsInRole(CaasRoles.Admin))
            return ProjectScope.Everything;
        var name = user.Identity?.IsAuthenticated == true ? user.Identity.Name : null;
        return new ProjectScope(false, name is null ? [] : await memberships.ProjectsOfAsync(name, ct));
    }

    public async Task<ProjectScope> ScopeAsync(AuthenticationStateProvider authentication) =>
        await ScopeAsync((await authentication.GetAuthenticationStateAsync()).User);

    /// <summary>The job, when it exists and is in the scope.</summary>
    /// <exception cref="OperationRejectedException">NotFound: a malformed id, no such job, or a job of another project.</exception>
    public async Task<JobView> RequireJobAsync(ProjectScope scope, string id, CancellationToken ct = default)
    {
        if (!JobIds.IsValid(id))
            throw new OperationRejectedException(RejectionKind.NotFound, $"No job has id '{id}': job ids look like 'job-' followed by 10 hex digits, e.g. job-0123456789.");
        var job = await queries.GetJobAsync(id, ct);
        if (job is null || !scope.Includes(job.Spec.Project))
            throw new OperationRejectedException(RejectionKind.NotFound, $"No job has id '{id}'.");
        return job;
    }

    public async Task<JobView> RequireJobAsync(ClaimsPrincipal user, string id, CancellationToken ct = default) =>
        await RequireJobAsync(await ScopeAsync(user, ct), id, ct);

    /// <exception cref="OperationRejectedException">Forbidden: the user is not in <paramref name="project"/>.</exception>
    public async Task RequireMaySubmitAsync(ClaimsPrincipal user, string project, CancellationToken ct = default)
    {
        var scope = await ScopeAsync(user, ct);
        if (!scope.Includes(project))
            throw new OperationRejectedException(RejectionKind.Forbidden,
                $"{user.Identity?.Name} is not in project '{project}' and may not submit jobs to it; " +
                (scope.Projects.Count == 0 ? "they are in no project" : $"their projects are {string.Join(", ", scope.Projects)}") +
                ". An admin can add them to it.");
    }

    /// <summary>
    /// The alerts the scope may see: those of its projects' jobs, and those about nodes (no job), which every user sees
    /// as they see the nodes.
    /// </summary>
    public async Task<IReadOnlyList<AlertView>> VisibleAsync(ProjectScope scope, IReadOnlyList<AlertView> alerts, CancellationToken ct = default)
    {
        if (scope.AllProjects)
            return alerts;
        var jobIds = alerts.Select(a => a.JobId).Where(JobIds.IsValid).Distinct().ToArray();
        var projects = await queries.GetJobProjectsAsync(jobIds, ct);
        return alerts.Where(a => !JobIds.IsValid(a.JobId) || (projects.TryGetValue(a.JobId, out var p) && scope.Includes(p))).ToArray();
    }

    /// <summary>
    /// A page of the alerts the scope may see. For a user limited to some projects the visible alerts are gathered
    /// first and paged here, so totals and pages count only what they may see.
    /// </summary>
    public async Task<Page<AlertView>> ListAlertsAsync(ProjectScope scope, IAlertOperations alerts, AlertState? state, bool includeResolved, int skip, int take, CancellationToken ct = default)
    {
        // An admin's query, or a bad page that the platform refuses the same way for everybody.
        if (scope.AllProjects || skip < 0 || take < 1)
            return await alerts.ListAlertsAsync(state, includeResolved, skip, take, ct);
        const int batch = 500;
        var visible = new List<AlertView>();
        for (var from = 0; ; from += batch)
        {
            var page = await alerts.ListAlertsAsync(state, includeResolved, from, batch, ct);
            visible.AddRange(await VisibleAsync(scope, page.Items, ct));
            if (page.Items.Count < batch || from + batch >= page.Total)
                break;
        }
        return new Page<AlertView>(visible.Skip(skip).Take(take).ToArray(), visible.Count, skip, take);
    }

    /// <summary>How many of the fleet's newest incidents are read to find the ones a project-limited user may see.</summary>
    public const int IncidentsScanned = 200;

    /// <summary>
    /// The newest incidents of the scope's jobs, newest first, at most <paramref name="take"/>. For a user limited to
    /// some projects the fleet's newest <see cref="IncidentsScanned"/> are read and theirs kept.
    /// </summary>
    public async Task<IReadOnlyList<RecoveryIncident>> RecentIncidentsAsync(ProjectScope scope, IRecoveryIncidents incidents, int take, CancellationToken ct = default)
    {
        var newest = await incidents.ListRecentAsync(scope.AllProjects ? take : Math.Max(take, IncidentsScanned), ct);
        if (scope.AllProjects)
            return newest;
        var projects = await queries.GetJobProjectsAsync(newest.Select(i => i.JobId).Distinct().ToArray(), ct);
        return newest.Where(i => projects.TryGetValue(i.JobId, out var project) && scope.Includes(project)).Take(take).ToList();
    }

    /// <exception cref="OperationRejectedException">NotFound: the alert is about a job outside the scope.</exception>
    public async Task<AlertView> RequireVisibleAsync(ProjectScope scope, AlertView? alert, string alertId, CancellationToken ct = default)
    {
        if (alert is null || (await VisibleAsync(scope, [alert], ct)).Count == 0)
            throw new OperationRejectedException(RejectionKind.NotFound, $"No alert has id '{alertId}'.");
        return alert;
    }
}
