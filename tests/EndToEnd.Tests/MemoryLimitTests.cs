using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.EndToEnd.Tests;

/// <summary>A real job over its memory limit: operators must read "out of memory", not a bare SIGKILL.</summary>
[Trait("Category", "EndToEnd")]
[Collection(StandaloneCollection.Name)]
public sealed class MemoryLimitTests
{
    [Fact]
    public async Task A_job_over_its_memory_limit_fails_as_killed_by_the_OOM_killer_with_an_alert_that_says_so()
    {
        await using var host = await StandaloneHost.StartAsync();
        var job = await host.Api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("memhog"),
            args = new[] { "--mib", "256" },
            name = "e2e oom",
            memoryLimitMiB = 32,
        });

        var failed = await host.Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Failed, TimeSpan.FromSeconds(60), "failed");

        Assert.Equal(9, failed.ExitSignal);
        Assert.Equal("killed by the kernel's OOM killer (signal 9, SIGKILL): the job reached its memory limit of 32 MiB", failed.StatusReason);
        var alert = await host.Api.WaitForAlertAsync(job.JobId, a => a.Kind == AlertKind.Failed, TimeSpan.FromSeconds(30), "a failed alert");
        Assert.Contains("OOM killer", alert.Message);
    }
}
