using Caas.Contracts.Jobs;
using Caas.EndToEnd.Tests;

namespace Caas.Browser.Tests;

/// <summary>
/// A counter job on the standalone platform held still with SIGSTOP until its stall alert fires (stall threshold
/// 3 s, alert only, so the platform leaves it stopped). Disposing lets it go on and kills it.
/// </summary>
public sealed class StalledJob : IAsyncDisposable
{
    private readonly StandaloneHost host;
    private readonly int pid;

    private StalledJob(StandaloneHost host, string jobId, int pid) => (this.host, JobId, this.pid) = (host, jobId, pid);

    public string JobId { get; }

    public static async Task<StalledJob> StartAsync(StandaloneHost host, string name, TimeSpan patience)
    {
        var job = await host.Api.SubmitAsync(new
        {
            command = RepositoryLayout.NativeBinary("counter"),
            args = new[] { "--target", "1000000", "--rate", "20" },
            name,
            stallThresholdSeconds = 3,
            onStall = "AlertOnly",
        });
        var running = await host.Api.WaitForJobAsync(job.JobId, j => j.Status == JobStatus.Running && j.Progress > 0, patience, "running");
        var stalled = new StalledJob(host, job.JobId, running.Pid!.Value);
        JobProcesses.Signal(stalled.pid, JobProcesses.SIGSTOP);
        try
        {
            await host.Api.WaitForAlertAsync(job.JobId, a => a.State == Caas.Contracts.Alerts.AlertState.Firing, patience, "a firing stall alert");
        }
        catch
        {
            await stalled.DisposeAsync();
            throw;
        }
        return stalled;
    }

    public async ValueTask DisposeAsync()
    {
        JobProcesses.Signal(pid, JobProcesses.SIGCONT);
        await host.Api.KillAsync(JobId);
    }
}
