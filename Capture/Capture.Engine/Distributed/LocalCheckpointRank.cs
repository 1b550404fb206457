using Caas.Capture.Engine.Network;

namespace Caas.Capture.Engine.Distributed;

/// <summary>A rank running on this node in its own network namespace, checkpointed through the engine.</summary>
public sealed class LocalCheckpointRank(int rank, JobHandle job, RankNamespace network, ICheckpointEngine engine, RankNamespaces namespaces) : ICheckpointRank
{
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(10);

    public int Rank => rank;

    public Task LockAsync(CancellationToken cancellationToken) => namespaces.LockAsync(network.Name, cancellationToken);

    public Task UnlockAsync(CancellationToken cancellationToken) => namespaces.UnlockAsync(network.Name, cancellationToken);

    public Task<CheckpointTimings> DumpAsync(string imagesDirectory, CancellationToken cancellationToken) =>
        engine.CheckpointAsync(job, imagesDirectory, leaveRunning: true, cancellationToken);

    /// <summary>The old copy must be gone before its address is restored anywhere else, or the restore fails.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        engine.Kill(job);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (engine.IsRunning(job))
        {
            if (waited.Elapsed > ExitWait)
                throw new CheckpointEngineException($"rank {rank} (PID {job.Pid}) did not end within {ExitWait.TotalSeconds:0} s of SIGKILL");
            await Task.Delay(20, cancellationToken);
        }
        await namespaces.DeleteAsync(network.Name, cancellationToken);
    }
}
