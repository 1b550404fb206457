using Caas.Capture.Engine.Network;

namespace Caas.Capture.Engine.Distributed;

/// <summary>A rank restored on this node into a fresh namespace that carries the rank's address.</summary>
public sealed class LocalRestoreRank(int rank, string jobId, RankNamespace network, string stateDirectory, string imagesDirectory,
    ICheckpointEngine engine, RankNamespaces namespaces) : IRestoreRank
{
    public int Rank => rank;

    /// <summary>The restored rank, once <see cref="RestoreAsync"/> succeeded.</summary>
    public JobHandle? Job { get; private set; }

    private bool _prepared;

    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        await namespaces.CreateAsync(network.Name, network.Address, locked: true, cancellationToken);
        _prepared = true;
    }

    public async Task RestoreAsync(CancellationToken cancellationToken) =>
        Job = await engine.RestoreAsync(jobId, stateDirectory, imagesDirectory, cancellationToken, network.Path);

    public Task UnlockAsync(CancellationToken cancellationToken) => namespaces.UnlockAsync(network.Name, cancellationToken);

    public async Task AbandonAsync(CancellationToken cancellationToken)
    {
        if (Job is not null)
            engine.Kill(Job);
        Job = null;
        // A namespace that was there before (a name taken) is somebody else's.
        if (_prepared)
            await namespaces.DeleteAsync(network.Name, cancellationToken);
        _prepared = false;
    }
}
