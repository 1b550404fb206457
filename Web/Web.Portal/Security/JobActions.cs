using System.Security.Claims;
using Caas.Web.Portal.Portal;
using Microsoft.AspNetCore.Components.Authorization;

namespace Caas.Web.Portal.Security;

/// <summary>
/// What the portal's pages may do to jobs, for the logged-in user: the role is checked here on the server, not
/// only by hiding buttons, a job outside the user's projects is not found (as in the API), and every action is audited.
/// </summary>
public sealed class JobActions(IJobOperations operations, JobSuspension suspension, IJobMigrations migrations, AuthenticationStateProvider authentication, AuditLog audit, JobVisibility visibility)
{
    public async Task<JobView> SubmitAsync(JobSpec spec)
    {
        var user = await RequireOperatorAsync("submit jobs");
        await visibility.RequireMaySubmitAsync(user, spec.Project);
        var job = await operations.SubmitAsync(spec);
        await audit.RecordAsync(user, AuditActions.JobSubmitted, $"{job.JobId} in project {job.Spec.Project}");
        return job;
    }

    public async Task<int> CheckpointAsync(string jobId, bool leaveRunning)
    {
        var user = await RequireOperatorAsync("checkpoint jobs");
        await visibility.RequireJobAsync(user, jobId);
        var sequence = await operations.CheckpointAsync(jobId, leaveRunning);
        await audit.RecordAsync(user, AuditActions.JobCheckpointed, $"{jobId} checkpoint {sequence}{(leaveRunning ? "" : " and stop")}");
        return sequence;
    }

    public async Task KillAsync(string jobId)
    {
        var user = await RequireOperatorAsync("kill jobs");
        await visibility.RequireJobAsync(user, jobId);
        await operations.KillAsync(jobId);
        await audit.RecordAsync(user, AuditActions.JobKilled, jobId);
    }

    public async Task<Guid> RestoreAsync(string jobId, int? sequence)
    {
        var user = await RequireOperatorAsync("restore jobs");
        await visibility.RequireJobAsync(user, jobId);
        var incident = await operations.RestoreAsync(jobId, sequence);
        await audit.RecordAsync(user, AuditActions.JobRestored, $"{jobId} from checkpoint {sequence?.ToString() ?? "newest"} (incident {incident})");
        return incident;
    }

    /// <summary>Suspends to storage: a checkpoint that stops the job, which then shows as Suspended.</summary>
    public async Task<int> SuspendAsync(string jobId)
    {
        var user = await RequireOperatorAsync("suspend jobs");
        await visibility.RequireJobAsync(user, jobId);
        var sequence = await suspension.SuspendAsync(jobId);
        await audit.RecordAsync(user, AuditActions.JobSuspended, $"{jobId} (checkpoint {sequence})");
        return sequence;
    }

    public async Task<Guid> ResumeAsync(string jobId)
    {
        var user = await RequireOperatorAsync("resume jobs");
        await visibility.RequireJobAsync(user, jobId);
        var incident = await suspension.ResumeAsync(jobId);
        await audit.RecordAsync(user, AuditActions.JobResumed, $"{jobId} (incident {incident})");
        return incident;
    }

    public async Task<MigrationStarted> MigrateAsync(string jobId, string? nodeId, string? pool)
    {
        var user = await RequireOperatorAsync("migrate jobs");
        await visibility.RequireJobAsync(user, jobId);
        var started = await migrations.MigrateAsync(jobId, nodeId, pool);
        await audit.RecordAsync(user, AuditActions.JobMigrated, $"{jobId} from {started.SourceNodeId} to {started.TargetNodeId} (checkpoint {started.Sequence})");
        return started;
    }

    public async Task VerifyCheckpointAsync(string jobId, int sequence)
    {
        var user = await RequireOperatorAsync("verify checkpoints");
        await visibility.RequireJobAsync(user, jobId);
        await operations.VerifyCheckpointAsync(jobId, sequence);
        await audit.RecordAsync(user, AuditActions.CheckpointVerified, $"{jobId} checkpoint {sequence}");
    }

    public async Task DeleteCheckpointAsync(string jobId, int sequence)
    {
        var user = await RequireOperatorAsync("delete checkpoints");
        await visibility.RequireJobAsync(user, jobId);
        await operations.DeleteCheckpointAsync(jobId, sequence);
        await audit.RecordAsync(user, AuditActions.CheckpointDeleted, $"{jobId} checkpoint {sequence}");
    }

    private Task<ClaimsPrincipal> RequireOperatorAsync(string what) => authentication.RequireOperatorAsync(what);
}
