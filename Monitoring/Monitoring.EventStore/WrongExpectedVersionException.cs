namespace Caas.Monitoring.EventStore;

/// <summary>An append lost an optimistic concurrency race: the stream is not at the version the writer expected.</summary>
public sealed class WrongExpectedVersionException(string stream, long expectedVersion, long actualVersion)
    : Exception($"Append to stream '{stream}' expected version {Describe(expectedVersion)} but the stream is at version {Describe(actualVersion)}.")
{
    public string Stream { get; } = stream;
    public long ExpectedVersion { get; } = expectedVersion;
    /// <summary>The stream's version when the append was refused; -1 when it has no events.</summary>
    public long ActualVersion { get; } = actualVersion;

    private static string Describe(long version) => version switch
    {
        EventStore.ExpectedVersion.NoStream => "-1 (no stream)",
        EventStore.ExpectedVersion.Any => "any",
        _ => version.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
