using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace Caas.Web.Portal.Security;

/// <summary>What the portal's pages may do to alerts and silences: operators only, checked here on the server, audited; silences limited
/// to the user's projects' jobs (<see cref="SilenceScope"/>).</summary>
public sealed class AlertActions(IAlertOperations alerts, AuthenticationStateProvider authentication, AuditLog audit, JobVisibility visibility, SilenceScope silences)
{
    public async Task<AlertView> AcknowledgeAsync(string alertId, string? comment)
    {
        var user = await RequireOperatorAsync("acknowledge alerts");
        await visibility.RequireVisibleAsync(await visibility.ScopeAsync(user), await alerts.GetAlertAsync(alertId), alertId);
        var alert = await alerts.AcknowledgeAsync(alertId, user.Identity!.Name!, comment);
        await audit.RecordAsync(user, AuditActions.AlertAcknowledged, alertId);
        return alert;
    }

    public async Task<SilenceView> SilenceAsync(NewSilence silence)
    {
        var user = await RequireOperatorAsync("silence alerts");
        await silences.RequireMayCreateAsync(user, silence);
        var created = await alerts.CreateSilenceAsync(silence, user.Identity!.Name!);
        await audit.RecordAsync(user, AuditActions.SilenceCreated, $"{created.Id} until {created.EndsAt:u}: {created.Reason}");
        return created;
    }

    public async Task<SilenceView> ExpireAsync(string silenceId)
    {
        var user = await RequireOperatorAsync("expire silences");
        await silences.RequireMayExpireAsync(user, alerts, silenceId);
        var expired = await alerts.ExpireSilenceAsync(silenceId, user.Identity!.Name!);
        await audit.RecordAsync(user, AuditActions.SilenceExpired, silenceId);
        return expired;
    }

    /// <summary>The silences the logged-in user may see (<see cref="SilenceScope"/>).</summary>
    public async Task<IReadOnlyList<SilenceView>> ListSilencesAsync(bool includeExpired) =>
        await silences.ListAsync((await authentication.GetAuthenticationStateAsync()).User, alerts, includeExpired);

    private Task<ClaimsPrincipal> RequireOperatorAsync(string what) => authentication.RequireOperatorAsync(what);
}
