using System.Security.Claims;
using Caas.Web.Portal.Portal;
using Microsoft.AspNetCore.Components.Authorization;

namespace Caas.Web.Portal.Security;

/// <summary>
/// What the portal's pages may do to jobs, for the logged-in user: the role is checked here on the server, not
/// only by hiding buttons, and every action is audited.
/// </summary>
public sealed class JobActions(IJobOperations operations, JobSuspension suspension, IJobMigrations migrations, AuthenticationStateProvider authentication, AuditLog audit)
{
    public async Task<JobView> SubmitAsync(JobSpec spec)
    {
        var user = await RequireOperatorAsync("submit jobs");
        var job = await operations.SubmitAsync(spec);
        audit.Record(user, "submitted", job.JobId);
        return job;
    }

    public async Task<int> CheckpointAsync(string jobId, bool leaveRunning)
    {
        var user = await RequireOperatorAsync("checkpoint jobs");
        var sequence = await operations.CheckpointAsync(jobId, leaveRunning);
        audit.Record(user, leaveRunning ? "requested a checkpoint of" : "requested a checkpoint and stop of", $"{jobId} (checkpoint {sequence})");
        return sequence;
    }

    public async Task KillAsync(string jobId)
    {
        var user = await RequireOperatorAsync("kill jobs");
        await operations.KillAsync(jobId);
        audit.Record(user, "killed", jobId);
    }

    public async Task<Guid> RestoreAsync(string jobId, int? sequence)
    {
        var user = await RequireOperatorAsync("restore jobs");
        var incident = await operations.RestoreAsync(jobId, sequence);
        audit.Record(user, "restored", $"{jobId} from checkpoint {sequence?.ToString() ?? "newest"} (incident {incident})");
        return incident;
    }

    /// <summary>Suspends to storage: a checkpoint that stops the job, which then shows as Suspended.</summary>
    public async Task<int> SuspendAsync(string jobId)
    {
        var user = await RequireOperatorAsync("suspend jobs");
        var sequence = await suspension.SuspendAsync(jobId);
        audit.Record(user, "suspended", $"{jobId} (checkpoint {sequence})");
        return sequence;
    }

    public async Task<Guid> ResumeAsync(string jobId)
    {
        var user = await RequireOperatorAsync("resume jobs");
        var incident = await suspension.ResumeAsync(jobId);
        audit.Record(user, "resumed", $"{jobId} (incident {incident})");
        return incident;
    }

    public async Task<MigrationStarted> MigrateAsync(string jobId, string? nodeId, string? pool)
    {
        var user = await RequireOperatorAsync("migrate jobs");
        var started = await migrations.MigrateAsync(jobId, nodeId, pool);
        audit.Record(user, "migrated", $"{jobId} from {started.SourceNodeId} to {started.TargetNodeId} (checkpoint {started.Sequence})");
        return started;
    }

    public async Task VerifyCheckpointAsync(string jobId, int sequence)
    {
        var user = await RequireOperatorAsync("verify checkpoints");
        await operations.VerifyCheckpointAsync(jobId, sequence);
        audit.Record(user, "requested a test restore of", $"{jobId} checkpoint {sequence}");
    }

    public async Task DeleteCheckpointAsync(string jobId, int sequence)
    {
        var user = await RequireOperatorAsync("delete checkpoints");
        await operations.DeleteCheckpointAsync(jobId, sequence);
        audit.Record(user, "deleted", $"{jobId} checkpoint {sequence}");
    }

    private Task<ClaimsPrincipal> RequireOperatorAsync(string what) => authentication.RequireOperatorAsync(what);
}
