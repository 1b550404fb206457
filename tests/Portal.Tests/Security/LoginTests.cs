using System.Net;
using System.Text.RegularExpressions;
using Caas.Portal.Tests.Api;
using Caas.Web.Portal.Security;

namespace Caas.Portal.Tests.Security;

/// <summary>Cookie login and logout with a real browser-like client (cookie jar, no automatic redirects) over real Kestrel.</summary>
[Trait("Category", "Integration")]
public sealed partial class LoginTests : IAsyncLifetime
{
    private PortalApiHost host = null!;
    private HttpClient browser = null!;
    private readonly CookieContainer cookies = new();

    public async Task InitializeAsync()
    {
        host = await PortalApiHost.StartAsync();
        browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = host.Address };
    }

    public async Task DisposeAsync()
    {
        browser.Dispose();
        await host.DisposeAsync();
    }

    [Fact]
    public async Task A_page_without_login_redirects_to_the_login_page_and_back()
    {
        var response = await browser.GetAsync("/jobs");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login?ReturnUrl=%2Fjobs", response.Headers.Location?.PathAndQuery);
    }

    [Fact]
    public async Task Logging_in_shows_who_is_logged_in_and_logging_out_ends_it()
    {
        var loggedIn = await LogInAsync("admin", PortalApiHost.AdminPassword, "/jobs");
        Assert.Equal(HttpStatusCode.Redirect, loggedIn.StatusCode);
        Assert.Equal("/jobs", loggedIn.Headers.Location?.OriginalString);

        var page = await browser.GetAsync("/jobs");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("""data-testid="current-user">admin</a>""", html);
        Assert.Contains("""data-testid="current-role">admin</span>""", html);

        var logout = await browser.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AntiforgeryToken(html),
        }));
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal("/login", logout.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/jobs")).StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_shows_the_form_again_and_sets_no_login_cookie()
    {
        var response = await LogInAsync("admin", "not the password", "/");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("""data-testid="login-problem">The user name or password is not right.</p>""", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(cookies.GetCookies(host.Address).Cast<Cookie>(), c => c.Name == "caas.auth");
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/jobs")).StatusCode);
    }

    [Fact]
    public async Task A_login_post_without_the_antiforgery_token_is_refused()
    {
        await browser.GetAsync("/login");

        var response = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["user"] = "admin", ["password"] = PortalApiHost.AdminPassword, ["returnUrl"] = "/",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(cookies.GetCookies(host.Address).Cast<Cookie>(), c => c.Name == "caas.auth");
    }

    [Fact]
    public async Task After_login_the_return_url_may_only_point_into_the_portal()
    {
        var response = await LogInAsync("admin", PortalApiHost.AdminPassword, "//evil.example/phish");

        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task The_login_cookie_creates_a_token_and_the_token_lists_without_its_secret()
    {
        await LogInAsync("admin", PortalApiHost.AdminPassword, "/");

        var created = await browser.PostAsync("/api/v1/tokens", new StringContent("""{"name":"from the portal","expiresInDays":7}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadAsStringAsync();
        var secret = Regex.Match(body, "\"token\":\"(caas_[^\"]+)\"").Groups[1].Value;
        Assert.Equal(48, secret.Length);

        var listed = await host.ClientWith(secret).GetStringAsync("/api/v1/tokens");
        Assert.Contains("\"name\":\"from the portal\"", listed);
        Assert.DoesNotContain(secret, listed);
        Assert.DoesNotContain("\"token\"", listed);
    }

    [Fact]
    public async Task The_interactive_circuit_is_closed_to_anonymous_clients_too()
    {
        var anonymous = await browser.PostAsync("/_blazor/negotiate?negotiateVersion=1", null);
        await LogInAsync("admin", PortalApiHost.AdminPassword, "/");
        var loggedIn = await browser.PostAsync("/_blazor/negotiate?negotiateVersion=1", null);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, loggedIn.StatusCode);
    }

    [Fact]
    public async Task Revoking_the_current_token_with_a_cookie_is_a_400_that_says_why()
    {
        await LogInAsync("admin", PortalApiHost.AdminPassword, "/");

        var response = await browser.DeleteAsync("/api/v1/tokens/current");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'current' means the token this request carries, and it carries none (it came with a cookie or a password).", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ten_wrong_passwords_for_a_user_stop_further_tries_from_that_client_for_a_while_even_with_the_right_one()
    {
        for (var i = 0; i < PasswordGuessLimiter.FailuresPerUser; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await LogInAsync("admin", $"guess {i}", "/")).StatusCode);

        var refused = await LogInAsync("admin", PortalApiHost.AdminPassword, "/");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single()), 1, (int)PasswordGuessLimiter.Window.TotalSeconds);
        Assert.Matches("""data-testid="login-problem">Too many wrong passwords from here. Try again in \d+ s.</p>""", await refused.Content.ReadAsStringAsync());
        Assert.DoesNotContain(cookies.GetCookies(host.Address).Cast<Cookie>(), c => c.Name == "caas.auth");
        // Another user is not locked out by guesses at admin's password.
        await host.CreateUserWithTokenAsync("olga", "operator");
        Assert.Equal(HttpStatusCode.Redirect, (await LogInAsync("olga", "olga password for tests", "/")).StatusCode);
    }

    [Fact]
    public async Task Ten_wrong_Basic_passwords_stop_further_token_requests_from_that_client_for_a_while()
    {
        async Task<HttpResponseMessage> TokenWith(string password)
        {
            using var client = new HttpClient { BaseAddress = host.Address };
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"admin:{password}")));
            return await client.PostAsync("/api/v1/tokens", new StringContent("""{"name":"cli"}""", System.Text.Encoding.UTF8, "application/json"));
        }
        for (var i = 0; i < PasswordGuessLimiter.FailuresPerUser; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await TokenWith($"guess {i}")).StatusCode);

        var refused = await TokenWith(PortalApiHost.AdminPassword);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Matches(@"Too many wrong passwords from this address; try again in \d+ s\.", await refused.Content.ReadAsStringAsync());
    }

    private async Task<HttpResponseMessage> LogInAsync(string user, string password, string returnUrl)
    {
        var form = await (await browser.GetAsync("/login")).Content.ReadAsStringAsync();
        return await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AntiforgeryToken(form), ["user"] = user, ["password"] = password, ["returnUrl"] = returnUrl,
        }));
    }

    private static string AntiforgeryToken(string html) =>
        WebUtility.HtmlDecode(AntiforgeryField().Match(html).Groups[1].Value) is { Length: > 0 } token
            ? token
            : throw new InvalidOperationException("the page has no antiforgery field:\n" + html);

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
