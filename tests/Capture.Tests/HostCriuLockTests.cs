using Caas.Capture.Engine;

namespace Caas.Capture.Tests;

/// <summary>
/// Agents on one host share one CRIU lock file, so two of them never run CRIU at once: concurrent restores of jobs
/// holding pseudo-terminals would take each other's pty indices, and concurrent dumps of ranks sharing a directory
/// collide in CRIU's parasite.
/// </summary>
[Trait("Category", "Unit")]
public sealed class HostCriuLockTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public Task A_second_engine_on_the_host_waits_until_the_first_releases_the_lock()
    {
        var path = _directory.Combine("run", "criu.lock");
        return AssertSecondWaitsForFirst(new HostCriuLock(path), new HostCriuLock(path));
    }

    [Fact]
    public Task One_engine_runs_its_own_CRIU_calls_one_at_a_time_too()
    {
        var criuLock = new HostCriuLock(_directory.Combine("criu.lock"));
        return AssertSecondWaitsForFirst(criuLock, criuLock);
    }

    [Fact]
    public async Task A_wait_for_the_lock_can_be_given_up()
    {
        var path = _directory.Combine("criu.lock");
        using var held = await new HostCriuLock(path).AcquireAsync(CancellationToken.None);
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new HostCriuLock(path).AcquireAsync(giveUp.Token));
    }

    private static async Task AssertSecondWaitsForFirst(HostCriuLock first, HostCriuLock second)
    {
        var held = await first.AcquireAsync(CancellationToken.None);
        var waiting = second.AcquireAsync(CancellationToken.None);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted, "the second CRIU call got the lock while the first still held it");

        held.Dispose();
        (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }
}
