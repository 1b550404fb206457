using System.Security.Claims;
using Microsoft.Extensions.Logging;

namespace Caas.Web.Portal.Security;

/// <summary>
/// Who did what, and when, and how it ended: each record goes to the durable audit trail (the event store's
/// <c>audit</c> stream) and to the host's log at Information level. Never given secrets: callers pass ids and
/// names only, never passwords or token secrets.
/// </summary>
public sealed class AuditLog(IAuditTrail trail, ILogger<AuditLog> logger, TimeProvider clock)
{
    /// <summary>The name audit records carry for what the platform does by itself (the first admin, enrolling its own agent).</summary>
    public const string Platform = "platform";

    public Task RecordAsync(ClaimsPrincipal who, string action, string target, AuditOutcome outcome = AuditOutcome.Succeeded, string? reason = null) =>
        RecordAsync(who.Identity?.Name ?? "anonymous", action, target, outcome, reason);

    public async Task RecordAsync(string who, string action, string target, AuditOutcome outcome = AuditOutcome.Succeeded, string? reason = null)
    {
        var record = new AuditRecord
        {
            Id = Guid.NewGuid(), At = clock.GetUtcNow(), User = who, Action = action, Target = target, Outcome = outcome, Reason = reason,
        };
        logger.LogInformation("audit: {User} {Action} {Target}: {Outcome} {Reason}", record.User, record.Action, record.Target, record.Outcome, record.Reason ?? "");
        // The action has happened: the record is written even when the caller has gone (no cancellation), and a failure
        // of the trail is an error for the operators that the caller hears of too.
        try
        {
            await trail.RecordAsync(record, CancellationToken.None);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogError(error, "audit: could not record {Action} by {User} in the audit trail", record.Action, record.User);
            throw;
        }
    }
}
