using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Caas.Web.Portal.Security;

/// <summary>
/// On a start with no users, creates "admin": with the configured bootstrap password when there is one (automation,
/// tests), else with a random password that <see cref="GeneratedPassword"/> holds for the host to print once.
/// The repository never holds a default password.
/// </summary>
/// <remarks>
/// It runs in <see cref="StartingAsync"/>, before any hosted service starts (Kestrel included), so the first request
/// already finds the admin.
/// </remarks>
public sealed class AdministratorBootstrap(ISecurityStore store, IOptions<SecurityOptions> options, AuditLog audit) : IHostedLifecycleService
{
    public const string AdminName = "admin";

    /// <summary>The random password of the admin created on this start; null when users existed or the password was configured.</summary>
    public string? GeneratedPassword { get; private set; }

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (await store.CountUsersAsync(cancellationToken) > 0)
            return;
        var configured = options.Value.BootstrapAdminPassword;
        var password = string.IsNullOrEmpty(configured) ? WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(15)) : configured;
        try
        {
            await store.CreateUserAsync(AdminName, password, CaasRoles.Admin, cancellationToken);
        }
        catch (OperationRejectedException conflict) when (conflict.Kind == RejectionKind.Conflict)
        {
            // Another web host of the cluster, starting at the same moment on the shared store, created the admin first.
            return;
        }
        try
        {
            await audit.RecordAsync(AuditLog.Platform, AuditActions.UserCreated, $"{AdminName} with role {CaasRoles.Admin} (first start)");
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // Logged as an error by the audit log; the platform still starts, so the admin can log in and look.
        }
        if (string.IsNullOrEmpty(configured))
            GeneratedPassword = password;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
