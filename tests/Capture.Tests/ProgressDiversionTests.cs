using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Caas.Capture.Engine.Progress;
using Microsoft.Extensions.Logging.Abstractions;

namespace Caas.Capture.Tests;

/// <summary>
/// A test-restored copy of a job reports under the job's own id; the channel tells it apart by the sending
/// process (kernel-vouched credentials), so the running job's progress never moves because of the copy.
/// </summary>
[Trait("Category", "Component")]
public sealed class ProgressDiversionTests : IAsyncLifetime
{
    private const string Job = "job-0123456789";
    private readonly TemporaryDirectory _directory = new();
    private readonly ProgressChannel _channel = new(TimeProvider.System, NullLogger<ProgressChannel>.Instance);
    private Process? _copy;

    private string SocketPath => _directory.Combine("progress.sock");

    public Task InitializeAsync()
    {
        _channel.Bind(SocketPath);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_copy is { HasExited: false })
            _copy.Kill();
        _copy?.Dispose();
        await _channel.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>The counter workload reporting through libcaas as job <see cref="Job"/>, as a restored copy would.</summary>
    private Process StartCounterReportingAs(string jobId)
    {
        var start = new ProcessStartInfo(NativeBinaries.Counter, ["--target", "1000000", "--rate", "50"]) { RedirectStandardOutput = true };
        start.Environment["CAAS_JOB_ID"] = jobId;
        start.Environment["CAAS_PROGRESS_SOCKET"] = SocketPath;
        return Process.Start(start)!;
    }

    private async Task SendFromThisProcess(string text)
    {
        using var sender = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        await sender.SendToAsync(Encoding.UTF8.GetBytes(text), SocketFlags.None, new UnixDomainSocketEndPoint(SocketPath));
        await _channel.FlushAsync();
    }

    [Fact]
    public async Task Reports_of_a_diverted_process_reach_the_observer_and_leave_the_jobs_progress_alone()
    {
        await SendFromThisProcess($"caas1 {Job} progress 0.900000 the running job");
        var seen = new ConcurrentQueue<ProgressReport>();
        // In place before the copy starts, as in a test restore: its first report comes at once. The copy is any process but this one.
        using (_channel.Divert(Job, pid => pid != Environment.ProcessId, seen.Enqueue))
        {
            _copy = StartCounterReportingAs(Job);
            await Eventually.Get(() => seen.Count >= 3 ? seen.Count : (int?)null, n => n >= 3, TimeSpan.FromSeconds(10), "three reports of the diverted copy");
            await _channel.FlushAsync();
            Assert.Equal((0.9, "the running job"), (_channel.Get(Job)!.Fraction, _channel.Get(Job)!.Message));
            Assert.All(seen, r => Assert.Equal(Job, r.JobId));
            Assert.All(seen, r => Assert.True(r.Fraction < 0.01));
        }

        // Once the diversion ends the same process is the job again: nothing stays hidden by mistake.
        await Eventually.Get(() => _channel.Get(Job), p => p.Fraction < 0.5, TimeSpan.FromSeconds(10), "the copy's report counted as the job's after the diversion");
    }

    [Fact]
    public async Task A_diversion_for_another_process_does_not_hide_the_jobs_own_reports()
    {
        var seen = new ConcurrentQueue<ProgressReport>();
        _copy = StartCounterReportingAs(Job);

        // PID 2 is kthreadd, which is never the ancestor of a user process.
        using var diversion = _channel.Divert(Job, pid => Caas.Capture.Engine.Proc.ProcessAncestry.Descends(pid, 2), seen.Enqueue);

        var progress = await Eventually.Get(() => _channel.Get(Job), p => p.Fraction > 0, TimeSpan.FromSeconds(10), "the job's own report");
        Assert.True(progress.Fraction > 0);
        Assert.Empty(seen);
    }
}
