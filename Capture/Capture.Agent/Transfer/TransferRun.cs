namespace Caas.Capture.Agent.Transfer;

/// <summary>The accounting of one transfer: bytes moved and in place, the total known so far, and progress reports at most once per <see cref="ReportInterval"/>.</summary>
internal sealed class TransferRun(CheckpointSource source, Func<TransferProgress, Task>? onProgress, TimeProvider time)
{
    public static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(1);

    private readonly long _started = time.GetTimestamp();
    private long _lastReport = time.GetTimestamp();

    public CheckpointSource Source { get; } = source;
    /// <summary>Bytes received from the network: manifests and files.</summary>
    public long BytesMoved { get; private set; }
    /// <summary>Bytes of bundle files written and verified so far.</summary>
    public long BytesDone { get; private set; }
    public long BytesTotal { get; private set; }
    public int BundlesFetched { get; set; }
    public TimeSpan Elapsed => time.GetElapsedTime(_started);

    public void AddTotal(long bytes) => BytesTotal += bytes;

    public void ManifestReceived(int bytes) => BytesMoved += bytes;

    public void Received(int bytes)
    {
        BytesMoved += bytes;
        BytesDone += bytes;
    }

    public async Task ReportAsync(bool final = false)
    {
        if (onProgress is null || (!final && time.GetElapsedTime(_lastReport) < ReportInterval))
            return;
        _lastReport = time.GetTimestamp();
        var seconds = Elapsed.TotalSeconds;
        await onProgress(new TransferProgress(BytesDone, BytesTotal, seconds > 0 ? BytesMoved / seconds : 0));
    }
}
