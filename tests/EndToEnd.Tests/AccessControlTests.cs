using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Caas.Contracts.Jobs;

namespace Caas.EndToEnd.Tests;

/// <summary>Access control on the real standalone platform: first-start admin, tokens, 401 and 403.</summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class AccessControlTests
{
    private const string FirstStartLine = "first start: log in at ";

    [Fact]
    public async Task The_first_start_prints_the_admin_password_once_and_the_next_start_does_not()
    {
        string dataDirectory;
        string password;
        await using (var first = await StandaloneHost.StartAsync(letHostChoosePassword: true))
        {
            dataDirectory = first.DataDirectory;
            password = first.AdminPassword!;
            var log = first.ReadLog();
            Assert.Equal(1, Occurrences(log, FirstStartLine));
            Assert.Contains($"{FirstStartLine}{first.Url.ToString().TrimEnd('/')}/login as admin with password {password}; change it under Account.", log);
            Assert.True(password.Length >= 20, $"a generated password of {password.Length} characters");
            await first.StopAsync();
        }
        File.Move(Path.Combine(dataDirectory, "host.log"), Path.Combine(dataDirectory, "first-host.log"));

        await using var second = await StandaloneHost.StartAsync(dataDirectory, adminPassword: password, letHostChoosePassword: true);

        var secondLog = second.ReadLog();
        Assert.Equal(0, Occurrences(secondLog, FirstStartLine));
        Assert.DoesNotContain(password, secondLog);
        Assert.Equal(0, (await second.Api.ListJobsAsync()).Total);
    }

    [Fact]
    public async Task Anonymous_and_unknown_tokens_get_401_and_a_viewer_cannot_submit()
    {
        await using var host = await StandaloneHost.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = host.Url };

        var noToken = await anonymous.GetAsync("/api/v1/jobs");
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal("application/problem+json", noToken.Content.Headers.ContentType?.MediaType);
        var wrongPassword = await TryTokenAsync(host, "admin", "not the password");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword);

        var created = await host.Api.Http.PostAsJsonAsync("/api/v1/users", new { name = "vera", password = "vera's long password", role = "viewer" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var viewer = new CaasApi(host.Url);
        viewer.UseToken(await host.CreateTokenAsync("vera", "vera's long password"));

        Assert.Equal(0, (await viewer.ListJobsAsync()).Total);
        var refused = await Assert.ThrowsAsync<ApiRejectedException>(() => viewer.SubmitAsync(CounterJob.Spec("not allowed")));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        using var problem = JsonDocument.Parse(refused.Body);
        Assert.Equal("vera has the role viewer; POST /api/v1/jobs needs the role operator.", problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal(0, (await host.Api.ListJobsAsync()).Total);

        var log = host.ReadLog();
        Assert.Contains("audit: admin created user vera with role viewer", log);
        Assert.DoesNotContain("vera's long password", log);
        Assert.DoesNotContain(host.AdminPassword!, log);
    }

    private static async Task<HttpStatusCode> TryTokenAsync(StandaloneHost host, string user, string password)
    {
        try
        {
            await host.CreateTokenAsync(user, password);
            return HttpStatusCode.Created;
        }
        catch (ApiRejectedException e)
        {
            return e.Status;
        }
    }

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}
