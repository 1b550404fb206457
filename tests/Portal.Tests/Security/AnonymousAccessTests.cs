using System.Net;
using System.Text.RegularExpressions;
using Caas.Portal.Tests.Api;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Portal.Tests.Security;

/// <summary>
/// Every endpoint the portal host maps (API, pages, the Blazor hub, login), enumerated from its EndpointDataSource:
/// only the login form, logout, the OpenAPI document and static files let an anonymous request in; every API route
/// answers it 401 and every other route sends it to the login page. A new endpoint is covered without being listed.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class AnonymousAccessTests : IAsyncLifetime
{
    /// <summary>The routes open to anyone: the login form, logout, the OpenAPI document, and the static files' catch-all (files only, by its constraint).</summary>
    private static readonly string[] Public =
        ["GET /login", "POST /login", "POST /logout", "GET /openapi/{documentName}.json", "GET /{**path:file}", "HEAD /{**path:file}"];

    private PortalApiHost host = null!;

    public async Task InitializeAsync() => host = await PortalApiHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    private IEnumerable<(RouteEndpoint Endpoint, string Method, string Pattern)> Endpoints() =>
        host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (e, m, "/" + e.RoutePattern.RawText!.Trim('/'))));

    private static bool IsStaticFile(RouteEndpoint endpoint) => endpoint.Metadata.GetMetadata<StaticAssetDescriptor>() is not null;

    // Anonymous requests reach an endpoint that allows them outright or asks for no authorization at all.
    private static bool AdmitsAnonymous(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null || endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Count == 0;

    [Fact]
    public void Only_login_logout_the_OpenAPI_document_and_static_files_admit_anonymous_requests()
    {
        var anonymous = Endpoints().Where(e => AdmitsAnonymous(e.Endpoint) && !IsStaticFile(e.Endpoint))
            .Select(e => $"{e.Method} {e.Pattern}").Distinct().Order().ToList();

        Assert.Equal(Public.Order().ToList(), anonymous);
    }

    [Fact]
    public async Task The_static_files_catch_all_serves_no_file_of_the_host_itself()
    {
        var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Address };
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "Portal.Tests.dll")));

        foreach (var path in new[] { "/Portal.Tests.dll", "/Portal.Tests.deps.json", "/caas.db" })
        {
            using var response = await anonymous.GetAsync(path);
            Assert.False(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Every_other_endpoint_answers_an_anonymous_request_401_on_the_API_and_a_way_to_log_in_elsewhere()
    {
        var guarded = Endpoints().Where(e => !AdmitsAnonymous(e.Endpoint)).ToList();
        Assert.NotEmpty(guarded);
        var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Address };
        var wrong = new List<string>();

        foreach (var (_, method, pattern) in guarded)
        {
            var path = Parameter().Replace(pattern, "x1");
            using var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            var api = path.StartsWith("/api/", StringComparison.Ordinal);
            var ok = api
                ? response.StatusCode == HttpStatusCode.Unauthorized && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                : response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString.Contains("/login", StringComparison.Ordinal) == true
                  || response.StatusCode == HttpStatusCode.Unauthorized;
            if (!ok)
                wrong.Add($"{method} {pattern} ({path}): {(int)response.StatusCode} {response.Headers.Location}");
        }

        Assert.Empty(wrong);
        Assert.Contains(guarded, e => e.Pattern == "/jobs/{Id}");
        Assert.Contains(guarded, e => e.Pattern == "/api/v1/jobs/{id}/alerts");
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
