namespace Caas.Recovery.Sagas.Persistence;

/// <summary>
/// Creates a store's schema on first use, once; unlike Lazy it tries again after a failure, so a
/// database that was down when the host started does not leave the store broken until a restart.
/// </summary>
internal sealed class SchemaOnce(Func<Task> create)
{
    private readonly Lock _gate = new();
    private Task? _creation;

    public Task EnsureAsync()
    {
        lock (_gate)
        {
            if (_creation is null || _creation.IsFaulted || _creation.IsCanceled)
                _creation = create();
            return _creation;
        }
    }
}
