namespace Caas.Monitoring.EventStore;

/// <summary>
/// The version each stream was at after this store's last commit to it, so that an append which agrees with it
/// can skip looking the stream up. Only a hint: another process may have appended since, so whatever relies on it
/// must let the database's unique constraints have the last word. Used by the writer loop alone.
/// </summary>
internal sealed class StreamVersionCache
{
    // A bound on memory for stores that see very many short-lived streams; a cleared cache only costs lookups.
    private const int MaxStreams = 200_000;

    private readonly Dictionary<string, long> _versions = new(StringComparer.Ordinal);

    public bool TryGet(string stream, out long version) => _versions.TryGetValue(stream, out version);

    public void Set(string stream, long version)
    {
        if (_versions.Count >= MaxStreams && !_versions.ContainsKey(stream))
            _versions.Clear();
        _versions[stream] = version;
    }

    public void Forget(string stream) => _versions.Remove(stream);

    public void Clear() => _versions.Clear();
}
