using System.Security.Claims;

namespace Caas.Web.Portal.Security;

/// <summary>
/// Who may see and make which silences, for the API and the portal alike. A silence hides alerts from notifications,
/// so a user limited to some projects may only silence alerts of one of their own jobs: their silence must name the job
/// (a silence of another project's job is refused as if the job did not exist, one without a job needs an admin). They
/// see the silences of their jobs and the fleet-wide ones (an admin's, which may cover their alerts too), never one of
/// another project's job; they may end only a silence of their own jobs. Admins see and make every silence.
/// </summary>
public sealed class SilenceScope(JobVisibility visibility, IJobQueries queries)
{
    public async Task<IReadOnlyList<SilenceView>> VisibleAsync(ProjectScope scope, IReadOnlyList<SilenceView> silences, CancellationToken ct = default)
    {
        if (scope.AllProjects)
            return silences;
        var jobIds = silences.Select(s => s.Matchers.JobId).OfType<string>().Where(JobIds.IsValid).Distinct().ToArray();
        var projects = await queries.GetJobProjectsAsync(jobIds, ct);
        return silences.Where(s => s.Matchers.JobId is not { } job || (projects.TryGetValue(job, out var p) && scope.Includes(p))).ToArray();
    }

    public async Task<IReadOnlyList<SilenceView>> ListAsync(ClaimsPrincipal user, IAlertOperations alerts, bool includeExpired, CancellationToken ct = default) =>
        await VisibleAsync(await visibility.ScopeAsync(user, ct), await alerts.ListSilencesAsync(includeExpired, ct), ct);

    /// <exception cref="OperationRejectedException">
    /// Forbidden: a user limited to projects names no job; NotFound: the job named is not one of theirs.
    /// </exception>
    public async Task RequireMayCreateAsync(ClaimsPrincipal user, NewSilence silence, CancellationToken ct = default)
    {
        var scope = await visibility.ScopeAsync(user, ct);
        if (scope.AllProjects)
            return;
        if (string.IsNullOrWhiteSpace(silence.Matchers.JobId))
            throw new OperationRejectedException(RejectionKind.Forbidden,
                $"{user.Identity?.Name} may silence only alerts of their own projects' jobs: name the job (job id); " +
                "a silence across jobs or of nodes needs an admin.");
        await visibility.RequireJobAsync(scope, silence.Matchers.JobId, ct);
    }

    /// <exception cref="OperationRejectedException">
    /// NotFound: no such silence, or one of another project's job; Forbidden: a fleet-wide silence and the user is not an admin.
    /// </exception>
    public async Task RequireMayExpireAsync(ClaimsPrincipal user, IAlertOperations alerts, string silenceId, CancellationToken ct = default)
    {
        var scope = await visibility.ScopeAsync(user, ct);
        if (scope.AllProjects)
            return;
        var silence = (await alerts.ListSilencesAsync(includeExpired: true, ct)).FirstOrDefault(s => s.Id == silenceId);
        if (silence is null || (await VisibleAsync(scope, [silence], ct)).Count == 0)
            throw new OperationRejectedException(RejectionKind.NotFound, $"No silence has id '{silenceId}'.");
        if (silence.Matchers.JobId is null)
            throw new OperationRejectedException(RejectionKind.Forbidden,
                $"Silence {silenceId} covers every project's alerts; only an admin may end it.");
    }
}
