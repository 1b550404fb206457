using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Caas.Contracts.Jobs;
using Caas.Capture.Engine.Bundles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Agent.Transfer;

/// <summary>
/// Pulls a checkpoint from another agent's transfer server into this agent's checkpoint directory:
/// parents it lacks first, each bundle assembled in a staging directory, every chunk checked against
/// the signed manifest as it streams, a broken connection resumed with a Range request (bounded
/// retries with backoff), the whole bundle verified at the end and then moved in with one rename.
/// A failed transfer leaves nothing behind.
/// </summary>
public sealed class TransferClient : IDisposable
{
    private const int MaxManifestBytes = 16 << 20;
    private const int BufferBytes = 256 << 10;
    private const int MaxProblemChars = 2000;

    private readonly AgentPaths _paths;
    private readonly CheckpointBundleVerifier _verifier;
    private readonly IManifestSigner _signer;
    private readonly TransferMetrics _metrics;
    private readonly TransferOptions _options;
    private readonly string _nodeId;
    private readonly TimeProvider _time;
    private readonly ILogger<TransferClient> _logger;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    /// <summary>Per bundle, how many fetches of it completed here (verified chunk by chunk on arrival); see <see cref="IsAlreadyHereAsync"/>.</summary>
    private readonly ConcurrentDictionary<string, long> _fetches = new(StringComparer.Ordinal);

    public TransferClient(AgentPaths paths, CheckpointBundleVerifier verifier, IManifestSigner signer, TransferMetrics metrics,
        IOptions<AgentOptions> options, TimeProvider time, ILogger<TransferClient> logger)
    {
        (_paths, _verifier, _signer, _metrics, _time, _logger) = (paths, verifier, signer, metrics, time, logger);
        _options = options.Value.Transfer;
        _nodeId = options.Value.NodeId;
        // No overall timeout: an image may take long; a stalled response is caught by StallTimeout instead.
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
        }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <exception cref="TransferFailedException">With the reason; nothing of the checkpoint is left in staging.</exception>
    public async Task<TransferOutcome> FetchAsync(CheckpointSource source, Func<TransferProgress, Task>? onProgress, CancellationToken cancellationToken)
    {
        if (!JobIds.IsValid(source.JobId))
            throw new TransferFailedException($"'{source.JobId}' is not a job id");
        if (source.Sequence < 1)
            throw new TransferFailedException($"checkpoint sequence must be at least 1, not {source.Sequence}");
        if (!source.ServerUrl.IsAbsoluteUri || source.ServerUrl.Scheme is not ("http" or "https"))
            throw new TransferFailedException($"the source URL {source.ServerUrl} is not an http(s) URL");
        var run = new TransferRun(source, onProgress, _time);
        var succeeded = false;
        try
        {
            await FetchWithParentsAsync(run, source.Sequence, cancellationToken);
            succeeded = true;
        }
        finally
        {
            _metrics.Record(run.BytesMoved, run.Elapsed, succeeded);
        }
        await run.ReportAsync(final: true);
        _logger.LogInformation("fetched {Source}: {Bundles} bundle(s), {Bytes} bytes in {Seconds:0.###} s",
            source, run.BundlesFetched, run.BytesMoved, run.Elapsed.TotalSeconds);
        return new TransferOutcome(run.BytesMoved, run.Elapsed, run.BundlesFetched);
    }

    private async Task FetchWithParentsAsync(TransferRun run, int sequence, CancellationToken cancellationToken)
    {
        var jobId = run.Source.JobId;
        var key = $"{jobId}/{sequence}";
        var gate = _locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        var fetchesBefore = _fetches.GetValueOrDefault(key);
        await gate.WaitAsync(cancellationToken);
        try
        {
            var target = _paths.Checkpoint(jobId, sequence);
            // A migration and the pool's copy of the same new checkpoint ask for it at once: the second waited for the
            // first, whose every chunk was hashed as it arrived, so hashing 1 GiB again here only delays the restore
            // that follows (which hashes it from disk anyway). Any other request finds it here by a full verification.
            var fetchedWhileWaiting = _fetches.GetValueOrDefault(key) != fetchesBefore;
            if (await IsAlreadyHereAsync(target, jobId, sequence, cancellationToken, fetchedWhileWaiting))
                return;
            var manifestBytes = await WithRetriesAsync(run, $"the manifest of checkpoint {sequence}", () => GetManifestAsync(run, sequence, cancellationToken), cancellationToken);
            var manifest = CheckManifest(run, sequence, manifestBytes);
            if (manifest.ParentSequence is { } parent)
                await FetchWithParentsAsync(run, parent, cancellationToken);
            run.AddTotal(manifest.TotalBytes);

            var staging = _paths.TransferStaging(jobId, sequence);
            DeleteIfPresent(staging);
            Directory.CreateDirectory(staging);
            try
            {
                foreach (var file in manifest.Files)
                    await FetchFileAsync(run, manifest, file, staging, cancellationToken);
                await File.WriteAllBytesAsync(Path.Combine(staging, CheckpointBundle.ManifestFileName), manifestBytes, cancellationToken);
                try
                {
                    // Every chunk was hashed against the signed manifest as it arrived and written by this process as hashed:
                    // reading 1 GiB back to hash it again only lengthened a migration. The restore hashes it from disk anyway.
                    await _verifier.VerifyAsync(new CheckpointBundle(staging), jobId, sequence, cancellationToken, chunksAlreadyHashed: true);
                }
                catch (CheckpointBundleRejectedException e)
                {
                    throw new TransferFailedException($"checkpoint {sequence} of job {jobId} from {run.Source.ServerUrl} refused: {e.Reason}");
                }
                Directory.CreateDirectory(Path.GetDirectoryName(target.Directory)!);
                // One rename: the checkpoint directory never holds half a bundle.
                Directory.Move(staging, target.Directory);
                _fetches.AddOrUpdate(key, 1, (_, n) => n + 1);
                run.BundlesFetched++;
            }
            catch
            {
                DeleteIfPresent(staging);
                throw;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A verified copy here is kept and not fetched again; a damaged one is never overwritten without a person looking.</summary>
    private async Task<bool> IsAlreadyHereAsync(CheckpointBundle target, string jobId, int sequence, CancellationToken cancellationToken, bool justFetched = false)
    {
        if (!Directory.Exists(target.Directory))
            return false;
        try
        {
            await _verifier.VerifyAsync(target, jobId, sequence, cancellationToken, chunksAlreadyHashed: justFetched);
            _logger.LogInformation("checkpoint {Sequence} of job {JobId} is already on node {NodeId} and verified: not fetched again", sequence, jobId, _nodeId);
            return true;
        }
        catch (CheckpointBundleRejectedException e)
        {
            throw new TransferFailedException($"checkpoint {sequence} of job {jobId} is already on node {_nodeId} but does not verify ({e.Reason}); it is not overwritten");
        }
    }

    /// <summary>Checks what the target relies on before a byte of the images is fetched: signature, identity, names, chunk lists.</summary>
    private CheckpointManifest CheckManifest(TransferRun run, int sequence, byte[] bytes)
    {
        var jobId = run.Source.JobId;
        CheckpointManifest manifest;
        try
        {
            manifest = BundleReader.ParseSigned($"checkpoint {sequence} of job {jobId} at {run.Source.ServerUrl}", bytes, _signer);
        }
        catch (CheckpointBundleRejectedException e)
        {
            throw new TransferFailedException($"checkpoint {sequence} of job {jobId} from {run.Source.ServerUrl} refused: {e.Reason}");
        }
        string? problem = null;
        if (manifest.JobId != jobId || manifest.Sequence != sequence)
            problem = $"the source sent the manifest of checkpoint {manifest.Sequence} of job {manifest.JobId}";
        else if (manifest.ParentSequence is { } parent && (parent < 1 || parent >= sequence))
            problem = $"its parent checkpoint {parent} is not an earlier one";
        else if (manifest.ChunkBytes is < CheckpointManifest.MinChunkBytes or > CheckpointManifest.MaxChunkBytes)
            problem = $"its chunk size {manifest.ChunkBytes} is outside {CheckpointManifest.MinChunkBytes}..{CheckpointManifest.MaxChunkBytes} bytes";
        else if (manifest.Files.Select(f => f.Path).Distinct(StringComparer.Ordinal).Count() != manifest.Files.Count)
            problem = "it lists a file twice";
        else
            foreach (var file in manifest.Files)
            {
                if (BundleReader.NameProblem(file.Path) is { } nameProblem)
                    problem = $"it names \"{file.Path}\", which {nameProblem}";
                else if (file.Size < 0 || file.Chunks is null || file.Chunks.Count != ChunkStreamVerifier.ChunkCount(file.Size, manifest.ChunkBytes))
                    problem = $"its chunk list for {file.Path} does not fit the file's size";
                if (problem is not null)
                    break;
            }
        return problem is null ? manifest : throw new TransferFailedException($"checkpoint {sequence} of job {jobId} from {run.Source.ServerUrl} refused: {problem}");
    }

    private async Task<byte[]> GetManifestAsync(TransferRun run, int sequence, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(run, BundleRequests.ManifestPath(run.Source.JobId, sequence), offset: 0, $"the manifest of checkpoint {sequence}", cancellationToken);
        if (response.Content.Headers.ContentLength is > MaxManifestBytes)
            throw new TransferFailedException($"the manifest of checkpoint {sequence} is larger than {MaxManifestBytes} bytes");
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var copy = new MemoryStream();
        var buffer = new byte[64 << 10];
        int read;
        while ((read = await ReadWithStallTimeoutAsync(body, buffer, cancellationToken)) > 0)
        {
            run.ManifestReceived(read);
            if (copy.Length + read > MaxManifestBytes)
                throw new TransferFailedException($"the manifest of checkpoint {sequence} is larger than {MaxManifestBytes} bytes");
            copy.Write(buffer, 0, read);
        }
        return copy.ToArray();
    }

    private async Task FetchFileAsync(TransferRun run, CheckpointManifest manifest, ManifestFile file, string staging, CancellationToken cancellationToken)
    {
        var path = Path.Combine(staging, file.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        using var check = new ChunkStreamVerifier(file, manifest.ChunkBytes, manifest.Format);
        long offset = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            while (offset < file.Size)
            {
                await WithRetriesAsync(run, $"{file.Path} of checkpoint {manifest.Sequence}", async () =>
                {
                    using var response = await SendAsync(run, BundleRequests.FilePath(manifest.JobId, manifest.Sequence, file.Path), offset, file.Path, cancellationToken);
                    await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                    while (offset < file.Size)
                    {
                        var read = await ReadWithStallTimeoutAsync(body, buffer.AsMemory(0, (int)Math.Min(BufferBytes, file.Size - offset)), cancellationToken);
                        if (read == 0)
                            throw new IOException($"the connection ended at byte {offset} of {file.Path} ({file.Size} bytes)");
                        // Written, then hashed: the hash always covers exactly the bytes on disk, so a resume continues both.
                        await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                        check.Append(buffer.AsSpan(0, read));
                        offset += read;
                        run.Received(read);
                        await run.ReportAsync();
                    }
                    return true;
                }, cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        await output.FlushAsync(cancellationToken);
    }

    /// <summary>A successful response for the bytes from <paramref name="offset"/> on; refusals become <see cref="TransferFailedException"/>, server trouble an <see cref="HttpRequestException"/> to retry.</summary>
    private async Task<HttpResponseMessage> SendAsync(TransferRun run, string path, long offset, string what, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(run.Source.ServerUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run.Source.Token);
        if (offset > 0)
            request.Headers.Range = new RangeHeaderValue(offset, null);
        HttpResponseMessage response;
        using (var headers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            headers.CancelAfter(_options.StallTimeout);
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headers.Token);
        }
        if (response.IsSuccessStatusCode)
        {
            var range = response.Content.Headers.ContentRange;
            if (offset == 0 || (response.StatusCode == HttpStatusCode.PartialContent && range?.From == offset))
                return response;
            response.Dispose();
            throw new TransferFailedException($"the source did not resume {what} at byte {offset} (answered {(int)response.StatusCode} {range})");
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            var detail = await ProblemDetailAsync(response, cancellationToken);
            if (status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
                throw new HttpRequestException($"the source answered {status} for {what}: {detail}", null, response.StatusCode);
            throw new TransferFailedException($"the source refused {what} ({status}): {detail}");
        }
    }

    private static async Task<string> ProblemDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (text.Length > MaxProblemChars)
            text = text[..MaxProblemChars];
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                return detail.GetString()!;
        }
        catch (JsonException)
        {
        }
        return text.Length > 0 ? text : response.ReasonPhrase ?? "no reason given";
    }

    private async Task<int> ReadWithStallTimeoutAsync(Stream body, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(_options.StallTimeout);
        return await body.ReadAsync(buffer, stall.Token);
    }

    /// <summary>
    /// Retries a broken connection or a server error with doubling waits; gives up after
    /// <see cref="TransferOptions.MaxAttempts"/> failures in a row. An attempt that moved bytes resets the count:
    /// a connection that keeps breaking but keeps delivering still finishes.
    /// </summary>
    private async Task<T> WithRetriesAsync<T>(TransferRun run, string what, Func<Task<T>> attempt, CancellationToken cancellationToken)
    {
        var failures = 0;
        var delay = _options.FirstRetryDelay;
        while (true)
        {
            var movedBefore = run.BytesMoved;
            try
            {
                return await attempt();
            }
            catch (Exception e) when (e is HttpRequestException or IOException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (run.BytesMoved > movedBefore)
                {
                    failures = 0;
                    delay = _options.FirstRetryDelay;
                }
                var problem = e is OperationCanceledException ? $"no data for {_options.StallTimeout.TotalSeconds:0.#} s" : e.Message;
                if (++failures >= _options.MaxAttempts)
                    throw new TransferFailedException($"fetching {what} from {run.Source.ServerUrl} failed {failures} time(s) in a row; last: {problem}");
                _logger.LogInformation("fetching {What} from {Server} broke ({Problem}); retry {Failure} of {Max} in {Delay} ms",
                    what, run.Source.ServerUrl, problem, failures, _options.MaxAttempts - 1, delay.TotalMilliseconds);
                await Task.Delay(delay, _time, cancellationToken);
                delay *= 2;
            }
        }
    }

    private void DeleteIfPresent(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (IOException e)
        {
            _logger.LogWarning("could not delete {Directory}: {Problem}", directory, e.Message);
        }
    }

    public void Dispose() => _http.Dispose();
}
