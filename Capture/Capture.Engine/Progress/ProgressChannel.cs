using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Caas.Capture.Engine.Progress;

/// <summary>
/// Where jobs tell the agent how far they are: a unix datagram socket that libcaas writes to
/// (env CAAS_PROGRESS_SOCKET), and per-job progress files (env CAAS_PROGRESS_FILE). Keeps the last
/// report of each job. Anything malformed is counted and dropped; nothing a job sends can stop it.
/// </summary>
public sealed class ProgressChannel(TimeProvider time, ILogger<ProgressChannel> logger) : IAsyncDisposable
{
    private const int MaxDatagram = 8192;
    private const string BarrierPrefix = ProgressReport.Magic + " - barrier ";

    private readonly object _gate = new();
    private readonly Dictionary<string, JobProgress> _progress = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProgressFileWatch> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _barriers = new();
    private readonly List<ProgressDiversion> _diversions = [];
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _socket;
    private Task? _receiving;
    private long _malformed;
    private long _received;
    private long _nextBarrier;
    private int _disposed;

    public string? SocketPath { get; private set; }
    /// <summary>Datagrams and progress-file lines that were not well-formed reports.</summary>
    public long MalformedCount => Interlocked.Read(ref _malformed);
    public long ReceivedCount => Interlocked.Read(ref _received);

    /// <summary>Binds the socket at <paramref name="path"/>, replacing a stale one a previous agent left, and starts receiving.</summary>
    public void Bind(string path)
    {
        if (_socket is not null)
            throw new InvalidOperationException($"the progress channel is already bound at {SocketPath}");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Delete(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            SenderCredentials.Enable(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _socket = socket;
        SocketPath = path;
        _receiving = Task.Run(ReceiveLoop);
    }

    /// <summary>Also reads progress lines the job appends to this file.</summary>
    public void WatchFile(string jobId, string path)
    {
        lock (_gate)
            _files[jobId] = new ProgressFileWatch(path);
    }

    /// <summary>
    /// Until disposed, reports for <paramref name="jobId"/> whose sending process <paramref name="sentByCopy"/> claims (by
    /// its host PID, as the kernel vouches for it) go to <paramref name="seen"/> instead of being taken as the job's progress:
    /// a test-restored copy of a job reports under the job's id, and must neither be mistaken for the running job nor move
    /// its progress. Reports whose sender is unknown stay the job's.
    /// </summary>
    public IDisposable Divert(string jobId, Func<int, bool> sentByCopy, Action<ProgressReport> seen)
    {
        var diversion = new ProgressDiversion(this, jobId, sentByCopy, seen);
        lock (_gate)
            _diversions.Add(diversion);
        return diversion;
    }

    /// <summary>The job's last report, or null if it never reported.</summary>
    public JobProgress? Get(string jobId)
    {
        lock (_gate)
        {
            PollFile(jobId);
            return _progress.GetValueOrDefault(jobId);
        }
    }

    /// <summary>Drops what the job reported so far, so that its next incarnation (a restore) starts with a clean slate; the job stays watched.</summary>
    public void Reset(string jobId)
    {
        lock (_gate)
        {
            _progress.Remove(jobId);
            if (_files.TryGetValue(jobId, out var file))
                file.MoveBaselineToEnd();
        }
    }

    /// <summary>Stops tracking the job altogether.</summary>
    public void Forget(string jobId)
    {
        lock (_gate)
        {
            _progress.Remove(jobId);
            _files.Remove(jobId);
        }
    }

    /// <summary>
    /// Returns once every datagram that was queued on the socket before this call has been processed:
    /// a marker datagram is sent to the socket itself, and unix datagrams are delivered in order.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_socket is null || SocketPath is null)
            return;
        var id = Interlocked.Increment(ref _nextBarrier);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _barriers[id] = done;
        try
        {
            using var sender = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            await sender.SendToAsync(Encoding.ASCII.GetBytes(BarrierPrefix + id), SocketFlags.None, new UnixDomainSocketEndPoint(SocketPath), cancellationToken);
            await done.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        finally
        {
            _barriers.TryRemove(id, out _);
        }
    }

    private async Task ReceiveLoop()
    {
        var buffer = new byte[MaxDatagram];
        while (!_stopping.IsCancellationRequested)
        {
            int length;
            int? sender;
            try
            {
                // Waits without taking the datagram, then takes it with its sender's credentials, which .NET cannot return.
                await _socket!.ReceiveAsync(buffer.AsMemory(), SocketFlags.Peek, _stopping.Token);
                length = SenderCredentials.Receive(_socket, buffer, out sender);
                if (length < 0)
                    continue;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // A datagram larger than the buffer arrives truncated with an error on some kernels; it is malformed, not fatal.
                Interlocked.Increment(ref _malformed);
                logger.LogDebug(e, "progress socket receive failed");
                DropQueued(buffer);
                continue;
            }
            Handle(buffer.AsSpan(0, length), sender);
        }
    }

    /// <summary>A peek leaves the datagram queued: one that failed must be taken off, or it would fail forever.</summary>
    private void DropQueued(byte[] buffer)
    {
        try
        {
            SenderCredentials.Receive(_socket!, buffer, out _);
        }
        catch (SocketException)
        {
        }
    }

    private void Handle(ReadOnlySpan<byte> datagram, int? sender)
    {
        if (datagram.StartsWith(Encoding.ASCII.GetBytes(BarrierPrefix)))
        {
            if (long.TryParse(Encoding.ASCII.GetString(datagram[BarrierPrefix.Length..]), out var id) && _barriers.TryGetValue(id, out var barrier))
                barrier.TrySetResult();
            return;
        }
        Interlocked.Increment(ref _received);
        if (ProgressReport.Parse(datagram) is not { } report)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (sender is { } pid && _diversions.Find(d => d.JobId == report.JobId && d.Covers(pid)) is { } diversion)
            {
                diversion.Seen(report);
                return;
            }
            // Lines the job wrote to its file before this datagram are older than it: take them first.
            PollFile(report.JobId);
            var previous = _progress.GetValueOrDefault(report.JobId);
            _progress[report.JobId] = report.Fraction is { } fraction
                ? new JobProgress(fraction, report.Message, now)
                : new JobProgress(previous?.Fraction, previous?.Message, now);
        }
    }

    private void PollFile(string jobId)
    {
        if (!_files.TryGetValue(jobId, out var file))
            return;
        var line = file.ReadIfChanged(out var malformed);
        if (malformed)
            Interlocked.Increment(ref _malformed);
        if (line is { } report)
            _progress[jobId] = new JobProgress(report.Fraction, report.Message, time.GetUtcNow());
    }

    private void EndDiversion(ProgressDiversion diversion)
    {
        lock (_gate)
            _diversions.Remove(diversion);
    }

    private sealed class ProgressDiversion(ProgressChannel channel, string jobId, Func<int, bool> sentByCopy, Action<ProgressReport> seen) : IDisposable
    {
        public string JobId { get; } = jobId;

        public bool Covers(int pid) => sentByCopy(pid);

        public void Seen(ProgressReport report) => seen(report);

        public void Dispose() => channel.EndDiversion(this);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stopping.CancelAsync();
        _socket?.Dispose();
        if (_receiving is not null)
            await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (SocketPath is not null)
            File.Delete(SocketPath);
        _stopping.Dispose();
    }
}
