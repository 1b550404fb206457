using System.Security.Claims;
using Caas.Web.Portal;
using Caas.Web.Portal.Portal;
using Caas.Web.Portal.Security;
using Bunit.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Components;

/// <summary>
/// A bUnit context with the fake platform, a fake clock one minute after <see cref="SampleJobs.Start"/>, portal options,
/// and a logged-in operator "olga" (tests switch to another role with <see cref="LogInAs"/>).
/// </summary>
public abstract class PortalTestContext : BunitContext
{
    protected PortalTestContext()
    {
        Clock = new FakeTimeProvider(SampleJobs.Start.AddMinutes(1));
        Platform = new FakeJobPlatform(Clock);
        Alerts = new FakeAlerts(Clock);
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddSingleton<IJobOperations>(Platform);
        Services.AddSingleton<IJobQueries>(Platform);
        Services.AddSingleton<IRecoveryIncidents>(Platform);
        Services.AddSingleton<INodeOperations>(Platform);
        Services.AddSingleton<IJobMigrations>(Platform);
        Services.AddSingleton<IJobOutput>(Output);
        Services.AddSingleton<IAlertOperations>(Alerts);
        Services.AddSingleton<IRecoveryPolicies>(Policies);
        Services.AddSingleton<IProjectionOperations>(Projections);
        Services.AddOptions<PortalOptions>().Configure(o => o.DemoCommand = DemoCommand);
        Services.AddSingleton<IAuditTrail>(Audit);
        Services.AddSingleton(new AuditLog(Audit, NullLogger<AuditLog>.Instance, Clock));
        Services.AddSingleton<IProjectMemberships>(Memberships);
        Services.AddSingleton<JobVisibility>();
        Services.AddSingleton<SilenceScope>();
        Services.AddSingleton<JobSuspension>();
        Services.AddScoped<JobActions>();
        Services.AddScoped<NodeActions>();
        Services.AddScoped<AlertActions>();
        Services.AddScoped<PolicyActions>();
        PersistentState = this.AddBunitPersistentComponentState();
        Authorization = AddAuthorization();
        LogInAs("olga", CaasRoles.Operator);
    }

    protected BunitAuthorizationContext Authorization { get; }

    /// <summary>What a prerender hands to the interactive render (<c>TriggerOnPersisting</c> plays the end of a prerender).</summary>
    protected BunitPersistentComponentState PersistentState { get; }

    /// <summary>The user the portal sees, with the roles the real login gives for <paramref name="role"/>.</summary>
    protected void LogInAs(string name, string role)
    {
        Authorization.SetAuthorized(name);
        Authorization.SetRoles([.. CaasRoles.Granted(role)]);
        Authorization.SetClaims(new Claim(CaasRoles.PrimaryRoleClaim, role));
    }

    protected FakeTimeProvider Clock { get; }
    protected FakeAuditTrail Audit { get; } = new();
    protected FakeProjectMemberships Memberships { get; } = new();
    protected FakeAlerts Alerts { get; }
    protected FakeRecoveryPolicies Policies { get; } = new();
    protected FakeProjections Projections { get; } = new();
    protected FakeJobPlatform Platform { get; }
    protected FakeJobOutput Output { get; } = new();
    protected string? DemoCommand { get; set; } = "/opt/caas/bin/counter";

    protected string CurrentPath => new Uri(Services.GetRequiredService<NavigationManager>().Uri).AbsolutePath;
}
