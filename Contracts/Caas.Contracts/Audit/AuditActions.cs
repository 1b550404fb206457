namespace Caas.Contracts.Audit;

/// <summary>The names of audited actions: stable, dotted, filterable by prefix ("job.", "user.").</summary>
public static class AuditActions
{
    public const string Login = "session.login";
    public const string Logout = "session.logout";
    public const string TokenCreated = "token.create";
    public const string TokenRevoked = "token.revoke";
    public const string UserCreated = "user.create";
    public const string PasswordChanged = "user.password";
    public const string ProjectCreated = "project.create";
    public const string ProjectMemberAdded = "project.member.add";
    public const string ProjectMemberRemoved = "project.member.remove";
    public const string JobSubmitted = "job.submit";
    public const string JobCheckpointed = "job.checkpoint";
    public const string JobKilled = "job.kill";
    public const string JobRestored = "job.restore";
    public const string JobSuspended = "job.suspend";
    public const string JobResumed = "job.resume";
    public const string JobMigrated = "job.migrate";
    public const string JobPolicySet = "job.policy";
    public const string ProjectionsRebuilt = "projections.rebuild";
    public const string CheckpointVerified = "checkpoint.verify";
    public const string CheckpointDeleted = "checkpoint.delete";
    public const string NodeDrained = "node.drain";
    public const string NodeUndrained = "node.undrain";
    public const string NodeEnrolled = "node.enroll";
    public const string NodeCredentialRevoked = "node.revoke";
    public const string AlertAcknowledged = "alert.ack";
    public const string SilenceCreated = "silence.create";
    public const string SilenceExpired = "silence.expire";
    /// <summary>A request refused for want of a role or a project.</summary>
    public const string AccessDenied = "access.denied";
    /// <summary>A bus message from an agent without a valid credential, refused.</summary>
    public const string AgentRefused = "agent.refused";
}
