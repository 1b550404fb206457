using Caas.Web.Portal;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Components;

/// <summary>A bUnit context with the fake platform, a fake clock one minute after <see cref="SampleJobs.Start"/>, and portal options.</summary>
public abstract class PortalTestContext : BunitContext
{
    protected PortalTestContext()
    {
        Clock = new FakeTimeProvider(SampleJobs.Start.AddMinutes(1));
        Platform = new FakeJobPlatform(Clock);
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddSingleton<IJobOperations>(Platform);
        Services.AddSingleton<IJobQueries>(Platform);
        Services.AddOptions<PortalOptions>().Configure(o => o.DemoCommand = DemoCommand);
    }

    protected FakeTimeProvider Clock { get; }
    protected FakeJobPlatform Platform { get; }
    protected string? DemoCommand { get; set; } = "/opt/caas/bin/counter";

    protected string CurrentPath => new Uri(Services.GetRequiredService<NavigationManager>().Uri).AbsolutePath;
}
