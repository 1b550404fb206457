using System.Text.Json.Serialization;
using Caas.Web.Portal;
using Caas.Web.Portal.Portal;
using Caas.Web.Portal.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class CaasPortalServiceCollectionExtensions
{
    /// <summary>
    /// Registers the portal (interactive server components), the HTTP API's JSON and problem-details conventions, and
    /// access control (cookie login, API tokens, roles, the users and tokens store at <c>Caas:Security:DatabasePath</c>).
    /// The host registers <see cref="IJobOperations"/> and <see cref="IJobQueries"/>.
    /// </summary>
    public static IServiceCollection AddCaasPortal(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddOpenApi();
        services.AddOptions<PortalOptions>().BindConfiguration(PortalOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddCaasAccessControl();
        return services;
    }

    private static void AddCaasAccessControl(this IServiceCollection services)
    {
        // The standalone store, unless the host chose the cluster's (AddCaasPostgresSecurityStore) before.
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.SectionName);
        services.TryAddSingleton<ISecurityStore, SqliteSecurityStore>();
        services.TryAddSingleton<IProjectMemberships>(sp => sp.GetRequiredService<ISecurityStore>());
        services.TryAddSingleton<IAgentCredentials>(sp => sp.GetRequiredService<ISecurityStore>());
        services.AddSingleton<AuditLog>();
        services.AddSingleton<PasswordGuessLimiter>();
        services.AddSingleton<PasswordChanges>();
        services.AddSingleton<JobVisibility>();
        services.AddSingleton<SilenceScope>();
        services.AddSingleton<AdministratorBootstrap>();
        services.AddHostedService(sp => sp.GetRequiredService<AdministratorBootstrap>());
        services.AddSingleton<JobSuspension>();
        services.AddScoped<JobActions>();
        services.AddScoped<NodeActions>();
        services.AddScoped<AlertActions>();
        services.AddScoped<PolicyActions>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ApiAuthorizationResultHandler>();
        services.AddCascadingAuthenticationState();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.LoginPath = "/login";
                options.LogoutPath = "/logout";
                options.Cookie.Name = "caas.auth";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, PasswordAuthenticationHandler>(PasswordAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(CaasPolicies.View, ApiPolicy(CaasRoles.Viewer))
            .AddPolicy(CaasPolicies.Operate, ApiPolicy(CaasRoles.Operator))
            .AddPolicy(CaasPolicies.Administer, ApiPolicy(CaasRoles.Admin))
            .AddPolicy(CaasPolicies.ManageOwnTokens, policy => policy
                .AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme, PasswordAuthenticationHandler.SchemeName, ApiTokenAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser());
    }

    /// <summary>
    /// Keeps users, tokens, projects and agent credentials in the cluster's PostgreSQL, so every web host and silo
    /// checks the same ones; a silo-only host needs only this (for agents' credentials), not the portal.
    /// </summary>
    public static IServiceCollection AddCaasPostgresSecurityStore(this IServiceCollection services, string connectionString)
    {
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ISecurityStore>(sp => new PostgresSecurityStore(
            connectionString, sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SecurityOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IProjectMemberships>(sp => sp.GetRequiredService<ISecurityStore>());
        services.AddSingleton<IAgentCredentials>(sp => sp.GetRequiredService<ISecurityStore>());
        return services;
    }

    // The API takes tokens only: a cookie riding along with a cross-site request must not act on the API.
    private static Action<AuthorizationPolicyBuilder> ApiPolicy(string role) => policy => policy
        .AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName)
        .RequireAuthenticatedUser()
        .RequireRole(role);
}
