using System.Security.Claims;

namespace Caas.Web.Portal.Security;

/// <summary>
/// Changing one's own password, for the Account page and POST /api/v1/account/password alike: the current password is
/// checked under the same <see cref="PasswordGuessLimiter"/> limits as a login, so a stolen session or token cannot be
/// turned into the password by guessing it here instead. Wrong current passwords are counted per account, not per address:
/// only someone signed in as that user can spend the account's budget, wherever they connect from (a Blazor circuit has
/// no reliable client address anyway), so the page and the API share one count. Every refusal is audited.
/// </summary>
public sealed class PasswordChanges(ISecurityStore store, PasswordGuessLimiter guesses, AuditLog audit)
{
    public async Task ChangeAsync(ClaimsPrincipal user, string currentPassword, string newPassword, CancellationToken ct = default)
    {
        var name = user.Identity?.Name ?? throw new OperationRejectedException(RejectionKind.Forbidden, "Log in to change your password.");
        var account = AccountKey(name);
        if (guesses.RetryAfter(account, name) is { } wait)
        {
            var refused = new TooManyPasswordGuessesException(wait);
            await audit.RecordAsync(user, AuditActions.PasswordChanged, name, AuditOutcome.Refused, refused.Message);
            throw refused;
        }
        if (string.IsNullOrEmpty(currentPassword) || await store.VerifyPasswordAsync(name, currentPassword, ct) is null)
        {
            if (!string.IsNullOrEmpty(currentPassword))
                guesses.RecordFailure(account, name);
            await audit.RecordAsync(user, AuditActions.PasswordChanged, name, AuditOutcome.Refused, "the current password is not right");
            throw new OperationRejectedException(RejectionKind.Invalid, "The current password is not right.");
        }
        guesses.RecordSuccess(account, name);
        try
        {
            await store.ChangePasswordAsync(name, currentPassword, newPassword, ct);
        }
        catch (OperationRejectedException e)
        {
            await audit.RecordAsync(user, AuditActions.PasswordChanged, name, AuditOutcome.Refused, e.Message);
            throw;
        }
        await audit.RecordAsync(user, AuditActions.PasswordChanged, name);
    }

    // Not an address, so it never meets a login's count for a client; the per-user limit is the one that applies.
    private static string AccountKey(string name) => "account " + name;
}
