namespace Caas.Web.Standalone;

/// <summary>Tells the person who started the platform where to find it, how to log in, and how to stop it.</summary>
public static class StartupBanner
{
    /// <param name="generatedAdminPassword">The first admin's random password, on the one start that created it; shown only then.</param>
    public static void Print(StandaloneSettings settings, string? generatedAdminPassword, TextWriter? output = null)
    {
        output ??= Console.Out;
        output.WriteLine();
        output.WriteLine($"  caas is running.");
        if (settings.RunsWeb)
        {
            output.WriteLine($"    portal   {settings.Url}");
            output.WriteLine($"    API      {settings.Url}/api/v1/jobs (needs a token: ./caas login)");
        }
        else
            output.WriteLine($"    health   {settings.Url}/health/ready");
        output.WriteLine($"    roles    {RoleNames(settings.Roles)}");
        output.WriteLine($"    data     {settings.DataDirectory}");
        output.WriteLine($"    mode     {settings.Mode}: events in {settings.EventStoreDescription}, bus {settings.BusDescription}, {(settings.EmbeddedAgent ? $"embedded agent {settings.NodeId}" : "no embedded agent")}");
        if (generatedAdminPassword is not null)
            output.WriteLine(FirstStartLine(settings.Url, generatedAdminPassword));
        output.WriteLine($"  Press Ctrl-C to stop; jobs and history are kept for the next start.");
        output.WriteLine();
    }

    public static string RoleNames(HostRoles roles) =>
        string.Join(",", new[] { HostRoles.Silo, HostRoles.Web, HostRoles.Agent }.Where(r => roles.HasFlag(r)).Select(r => r.ToString().ToLowerInvariant()));

    public static string FirstStartLine(string url, string password) =>
        $"  first start: log in at {url}/login as admin with password {password}; change it under Account. It is not shown again.";
}
