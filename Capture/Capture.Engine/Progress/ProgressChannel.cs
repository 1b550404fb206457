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
    private static readonly TimeSpan ReceiveWakeInterval = TimeSpan.FromMilliseconds(200);
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
        socket.ReceiveTimeout = (int)ReceiveWakeInterval.TotalMilliseconds;
        _receiving = Task.Factory.StartNew(ReceiveLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
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

    /// <summary>
    /// Blocking receives on a thread of its own, waking every <see cref="ReceiveWakeInterval"/> to see whether the channel
    /// is closing: each datagram must come with its sender's credentials, which only a raw recvmsg returns, and mixing
    /// raw receives with .NET's asynchronous socket engine on one socket is not something to rely on.
    /// </summary>
    private void ReceiveLoop()
    {
        var buffer = new byte[MaxDatagram];
        while (!_stopping.IsCancellationRequested)
        {
            int length;
            int? sender;
            try
            {
                length = SenderCredentials.Receive(_socket!, buffer, out sender);
                if (length < 0)
                    continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                Interlocked.Increment(ref _malformed);
                logger.LogDebug(e, "progress socket receive failed");
                continue;
            }
            Handle(buffer.AsSpan(0, length), sender);
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
        // The receiving thread sees the cancellation within one wake interval; only then is its socket closed under it.
        if (_receiving is not null)
            await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket?.Dispose();
        if (SocketPath is not null)
            File.Delete(SocketPath);
        _stopping.Dispose();
    }
}
