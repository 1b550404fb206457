using Caas.Portal.Tests.Api;
using Caas.Web.Cli;
using Caas.Web.Portal.Security;

namespace Caas.Portal.Tests.Cli;

/// <summary>caas-cli login, the token file, $CAAS_TOKEN and the not-logged-in message, against real Kestrel and a real store.</summary>
[Trait("Category", "Integration")]
public sealed class CliLoginTests : IAsyncLifetime
{
    private PortalApiHost host = null!;
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();
    private readonly DirectoryInfo config = Directory.CreateTempSubdirectory("caas-cli-config-");

    private TokenFile Tokens => new(Path.Combine(config.FullName, "caas", "token"));
    private string Url => host.Address.ToString();

    public async Task InitializeAsync() => host = await PortalApiHost.StartAsync();

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        config.Delete(recursive: true);
    }

    private Task<int> Cli(string? environmentToken, string stdin, params string[] args) =>
        CliApp.RunAsync(["--url", Url, .. args], output, error, environmentUrl: null, environmentToken: environmentToken, tokenFile: Tokens, input: new StringReader(stdin));

    [Fact]
    public async Task Login_saves_a_working_token_readable_only_by_its_owner()
    {
        var exit = await Cli(null, PortalApiHost.AdminPassword + "\n", "login", "--user", "admin", "--password-stdin", "--token-name", "laptop");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal("", error.ToString());
        var token = Tokens.Read();
        Assert.NotNull(token);
        Assert.StartsWith("caas_", token);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Tokens.Path));
        var listed = Assert.Single(await host.Store.ListTokensAsync("admin"), t => t.Name == "laptop");
        Assert.StartsWith($"Logged in to {Url} as admin; the token ({listed.Id}, expires ", output.ToString());

        output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Ok, await Cli(null, "", "nodes"));
        Assert.Equal("No node agents have reported.", output.ToString().Trim());
    }

    [Fact]
    public async Task Logout_revokes_the_token_on_the_platform_and_removes_the_file()
    {
        Assert.Equal(ExitCodes.Ok, await Cli(null, PortalApiHost.AdminPassword + "\n", "login", "--password-stdin"));
        var token = Tokens.Read()!;

        var exit = await Cli(null, "", "logout");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.EndsWith($"Logged out: the token is revoked and {Tokens.Path} removed.", output.ToString().Trim());
        Assert.False(File.Exists(Tokens.Path));
        Assert.Equal("The token was revoked.", (await host.Store.CheckTokenAsync(token)).Problem);
    }

    [Fact]
    public async Task A_wrong_password_exits_1_and_saves_nothing()
    {
        var exit = await Cli(null, "not the password\n", "login", "--password-stdin");

        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Equal("caas-cli: login failed: The user name or password is not right.", error.ToString().Trim());
        Assert.False(File.Exists(Tokens.Path));
    }

    [Fact]
    public async Task Without_a_token_every_call_says_to_log_in_and_exits_1()
    {
        var exit = await Cli(null, "", "list");

        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Equal("caas-cli: not logged in: run ./caas login (No credentials were sent.)", error.ToString().Trim());
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public async Task CAAS_TOKEN_overrides_the_token_file()
    {
        Tokens.Save("caas_revoked-or-never-issued");
        var viewerToken = await host.CreateUserWithTokenAsync("vera", CaasRoles.Viewer);

        Assert.Equal(ExitCodes.Ok, await Cli(viewerToken, "", "nodes"));
        Assert.Equal(ExitCodes.Refused, await Cli(null, "", "nodes"));
        Assert.Equal("caas-cli: not logged in: run ./caas login (The token is not known to this platform.)", error.ToString().Trim());
    }

    [Fact]
    public async Task A_viewer_submitting_gets_the_403_detail_and_exit_1()
    {
        var viewerToken = await host.CreateUserWithTokenAsync("vera", CaasRoles.Viewer);

        var exit = await Cli(viewerToken, "", "submit", "--", "/usr/bin/true");

        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Equal("caas-cli: vera has the role viewer; POST /api/v1/jobs needs the role operator.", error.ToString().Trim());
        Assert.Empty(host.Platform.Submitted);
    }
}
