using System.Security.Claims;
using Microsoft.Extensions.Logging;

namespace Caas.Web.Portal.Security;

/// <summary>
/// Who changed what, and when, at Information level in the host's log. Never given secrets: callers pass ids
/// and names only. (A durable audit stream in the event store is later work.)
/// </summary>
public sealed class AuditLog(ILogger<AuditLog> logger, TimeProvider clock)
{
    public void Record(ClaimsPrincipal who, string action, string target) =>
        Record(who.Identity?.Name ?? "anonymous", action, target);

    public void Record(string who, string action, string target) =>
        logger.LogInformation("audit: {User} {Action} {Target} at {At:O}", who, action, target, clock.GetUtcNow());
}
