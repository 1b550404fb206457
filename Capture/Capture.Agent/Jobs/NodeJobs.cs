using System.Collections.Concurrent;
using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Bundles;
using Caas.Capture.Engine.Bundles.Dedup;
using Caas.Capture.Engine.Cpu;
using Caas.Capture.Engine.Proc;
using Caas.Capture.Engine.Progress;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Agent.Jobs;

/// <summary>
/// The jobs of this node and everything done to them: launch, checkpoint, restore, kill, sampling and
/// exit detection. Operations on one job are serialized; different jobs proceed in parallel.
/// Refusals are <see cref="AgentRejectionException"/> with the reason for the bus.
/// </summary>
public sealed class NodeJobs(
    ICheckpointEngine engine,
    ProgressChannel progress,
    ProcSampler sampler,
    CheckpointBundleWriter bundleWriter,
    CheckpointParentChoice parentChoice,
    CheckpointChainRestorer chainRestorer,
    RestoreCache restoreCache,
    CheckpointRetention retention,
    CpuInfo cpu,
    JobRecordStore records,
    AgentPaths paths,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<NodeJobs> logger)
{
    /// <summary>Heartbeats a job's root may be gone without an exit status before it is reported as ended anyway.</summary>
    private const int MissingTicksBeforeUnknownExit = 3;
    private static readonly TimeSpan OldCopyExitWait = TimeSpan.FromSeconds(10);

    private readonly AgentOptions _options = options.Value;

    /// <summary>Signalled when the heartbeat loop should sample now rather than at its next tick.</summary>
    public SampleRequests SampleRequests { get; } = new();
    private readonly ConcurrentDictionary<string, TrackedJob> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<PrunedCheckpoint> _pruned = new();
    /// <summary>Jobs this agent killed to fence itself, with why: their exit reports say so.</summary>
    private readonly ConcurrentDictionary<string, string> _fenceReasons = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _launchSlots = new(1, 1);
    private EngineProbe? _probe;

    public string NodeId => _options.NodeId;
    public int RunningCount => _running.Count;
    public EngineProbe? Probe => _probe;

    public async Task<EngineProbe> ProbeAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return _probe = await engine.ProbeAsync(cancellationToken);
        }
        catch (CheckpointEngineException e)
        {
            return _probe = new EngineProbe(false, null, e.Message);
        }
    }

    /// <summary>Finds the jobs a previous run of the agent left: still running ones are tracked again; ended ones are returned to be reported.</summary>
    public IReadOnlyList<JobProcessExited> Reattach()
    {
        var ended = new List<JobProcessExited>();
        foreach (var record in records.LoadAll().Where(r => r.State == JobRecordState.Running))
        {
            var handle = new JobHandle(record.JobId, paths.JobDirectory(record.JobId), record.Pid, record.StartTicks);
            if (engine.ReadExit(handle.StateDirectory) is { } exit)
            {
                if (exit.Checkpointed)
                    records.Save(record with { State = JobRecordState.Stopped });
                else
                    ended.Add(Exited(record.JobId, exit));
                continue;
            }
            _running[record.JobId] = new TrackedJob(handle, record.StartedAt, record.Epoch);
            progress.WatchFile(record.JobId, paths.ProgressFile(record.JobId));
            logger.LogInformation("re-attached to job {JobId} (PID {Pid})", record.JobId, record.Pid);
        }
        return ended;
    }

    /// <summary>The launch pre-flight: what would stop <paramref name="spec"/> from starting here, without starting it.</summary>
    /// <returns>Null when it could be launched, else the reason for people.</returns>
    public string? CheckLaunchable(JobSpec spec)
    {
        if (JobSpecValidator.Validate(spec) is { Count: > 0 } problems)
            return string.Join(" ", problems);
        try
        {
            ResolveLaunch(spec, paths.JobDirectory("job-0000000000"));
            return null;
        }
        catch (AgentRejectionException e)
        {
            return e.Message;
        }
    }

    // The same checks for the pre-flight and the launch itself, so they can never disagree.
    private (string WorkingDirectory, string Executable) ResolveLaunch(JobSpec spec, string jobDirectory)
    {
        var workingDirectory = spec.WorkingDirectory ?? jobDirectory;
        if (spec.WorkingDirectory is not null && !Directory.Exists(spec.WorkingDirectory))
            throw new AgentRejectionException($"working directory {spec.WorkingDirectory} does not exist on node {NodeId}");
        var searchPath = spec.Env.TryGetValue("PATH", out var jobPath) ? jobPath : Environment.GetEnvironmentVariable("PATH");
        return (workingDirectory, ExecutableResolver.Resolve(spec.Command, workingDirectory, searchPath));
    }

    public async Task<JobHandle> LaunchAsync(string jobId, JobSpec spec, CancellationToken cancellationToken, long epoch = 0)
    {
        RequireValidJobId(jobId);
        if (JobSpecValidator.Validate(spec) is { Count: > 0 } problems)
            throw new AgentRejectionException(string.Join(" ", problems));
        using var _ = await LockAsync(jobId, cancellationToken);
        if (_running.ContainsKey(jobId))
            throw new AgentRejectionException($"job {jobId} is already running on node {NodeId}");
        // Slots are counted and taken atomically, or two launches could both take the last one.
        await _launchSlots.WaitAsync(cancellationToken);
        try
        {
            if (_running.Count >= _options.JobSlots)
                throw new AgentRejectionException($"node {NodeId} has no free job slot ({_running.Count} of {_options.JobSlots} in use)");
            var jobDirectory = paths.JobDirectory(jobId);
            var (workingDirectory, executable) = ResolveLaunch(spec, jobDirectory);
            Directory.CreateDirectory(jobDirectory);

            var progressFile = paths.ProgressFile(jobId);
            File.Delete(progressFile);
            var environment = new Dictionary<string, string>(spec.Env, StringComparer.Ordinal)
            {
                ["CAAS_JOB_ID"] = jobId,
                ["CAAS_PROGRESS_SOCKET"] = paths.ProgressSocket,
                ["CAAS_PROGRESS_FILE"] = progressFile,
            };
            progress.Forget(jobId);
            progress.WatchFile(jobId, progressFile);
            JobHandle handle;
            try
            {
                handle = await engine.LaunchAsync(new JobLaunchRequest
                {
                    JobId = jobId,
                    StateDirectory = jobDirectory,
                    Executable = executable,
                    Args = spec.Args,
                    Environment = environment,
                    WorkingDirectory = workingDirectory,
                    MemoryLimitBytes = spec.MemoryLimitBytes,
                }, cancellationToken);
            }
            catch (CheckpointEngineException e)
            {
                progress.Forget(jobId);
                throw new AgentRejectionException(e.Message);
            }
            Track(handle, epoch);
            logger.LogInformation("launched job {JobId} as PID {Pid}: {Executable}", jobId, handle.Pid, executable);
            return handle;
        }
        finally
        {
            _launchSlots.Release();
        }
    }

    public async Task<CheckpointInfo> CheckpointAsync(string jobId, int sequence, bool leaveRunning, CancellationToken cancellationToken)
    {
        RequireValidJobId(jobId);
        if (sequence < 1)
            throw new AgentRejectionException($"checkpoint sequence must be at least 1, not {sequence}");
        using var _ = await LockAsync(jobId, cancellationToken);
        if (!_running.TryGetValue(jobId, out var job) || !engine.IsRunning(job.Handle))
            throw new AgentRejectionException($"job {jobId} is not running on node {NodeId}");
        var probe = _probe ?? await ProbeAsync(cancellationToken);
        if (!probe.Usable)
            throw new AgentRejectionException($"checkpoints are not possible on node {NodeId}: {probe.Problem}");
        var bundle = paths.Checkpoint(jobId, sequence);
        if (File.Exists(bundle.ManifestPath))
            throw new AgentRejectionException($"checkpoint {sequence} of job {jobId} already exists on node {NodeId}");
        if (Directory.Exists(bundle.Directory))
            Directory.Delete(bundle.Directory, recursive: true);

        // Leaving it running, the job reports on while the dump ends: only what it said before the
        // freeze is certainly in the image. Stopped, everything it sent before the freeze is.
        var startedAt = time.GetUtcNow();
        var carriedDirectory = CarriedWorkingDirectory(jobId, job.Handle.Pid);
        var before = leaveRunning ? await ProgressNowAsync(jobId, cancellationToken) : null;
        CheckpointTimings timings;
        // Page images are read once, while CRIU writes them: chunk hashes for the manifest and, when this
        // checkpoint may be a parent, page hashes for its page index. Which parent (if any) is chosen
        // meanwhile; an incremental checkpoint stores deltas, so its page images' chunks need no hash.
        var hashedDuringDump = new AppendedChunkHasher(bundle.Directory, hashPages: _options.Images.Incremental);
        var choosingParent = ChooseParentAsync();
        using (var dumpFinished = new CancellationTokenSource())
        {
            var hashing = hashedDuringDump.RunAsync(dumpFinished.Token);
            try
            {
                Directory.CreateDirectory(bundle.ImagesDirectory);
                timings = await engine.CheckpointAsync(job.Handle, bundle.ImagesDirectory, leaveRunning, cancellationToken);
            }
            catch (CheckpointEngineException e)
            {
                await dumpFinished.CancelAsync();
                await hashing;
                // Its outcome no longer matters, but it must not run on against a deleted bundle.
                await choosingParent.ContinueWith(_ => { }, TaskScheduler.Default);
                TryDelete(bundle.Directory);
                throw new AgentRejectionException(e.Message);
            }
            finally
            {
                await dumpFinished.CancelAsync();
                await hashing;
            }
        }
        var hashedWhileDumping = hashedDuringDump.Hashed.Values.Sum(h => h.Count);
        var atFreeze = leaveRunning ? before : await ProgressNowAsync(jobId, cancellationToken);

        async Task<ParentPages?> ChooseParentAsync()
        {
            var chosen = await parentChoice.ChooseAsync(jobId, sequence, leaveRunning, cancellationToken);
            if (chosen is not null)
                hashedDuringDump.SkipChunks();
            return chosen;
        }

        if (!leaveRunning)
        {
            _running.TryRemove(jobId, out var _);
            records.Save(new JobRecord(jobId, job.Handle.Pid, job.Handle.StartTicks, JobRecordState.Stopped, job.StartedAt, job.Epoch));
            progress.Forget(jobId);
        }

        // With leaveRunning the job runs again meanwhile: deduplication and compression cost no downtime.
        var sealing = time.GetTimestamp();
        ParentPages? parent;
        EncodedImages encoded;
        IReadOnlyDictionary<string, int>? carriedModes = null;
        try
        {
            if (carriedDirectory is not null)
                carriedModes = await WorkingDirectoryFiles.CopyIntoAsync(carriedDirectory, bundle, cancellationToken);
            parent = await choosingParent;
            await hashedDuringDump.FinishAsync(cancellationToken);
            if (parent is not null && parent.MostPagesAreNew(hashedDuringDump.PageHashes.Values))
            {
                logger.LogInformation("checkpoint {Sequence} of job {JobId} is full: more than half of its pages changed since checkpoint {Parent}", sequence, jobId, parent.Manifest.Sequence);
                parent = null;
            }
            encoded = await CheckpointImageEncoder.EncodeAsync(bundle, parent, indexPages: _options.Images.Incremental, compress: _options.Images.Compress, cancellationToken,
                hashedDuringDump.PageHashes, keepFullPageImagesIn: restoreCache.Incoming(jobId, sequence));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            TryDelete(bundle.Directory);
            TryDelete(restoreCache.Incoming(jobId, sequence));
            throw new AgentRejectionException($"checkpoint {sequence} of job {jobId} could not be stored: {e.Message}");
        }
        // Should sealing fail, what the checkpoint put in the restore cache goes with the next checkpoint's Keep.
        var manifest = await bundleWriter.SealAsync(bundle, new CheckpointManifest
        {
            JobId = jobId,
            Sequence = sequence,
            ParentSequence = parent?.Manifest.Sequence,
            ParentDigest = parent?.Digest,
            Engine = probe.Version ?? "criu",
            NodeId = NodeId,
            Pool = _options.Pool,
            CpuModel = cpu.Model,
            CpuFlags = [.. cpu.Flags.Order(StringComparer.Ordinal)],
            TakenAt = startedAt,
            Progress = atFreeze?.Fraction,
            ProgressMessage = atFreeze?.Message,
            LeaveRunning = leaveRunning,
            AppPause = timings.AppPause,
            Dump = timings.Dump,
            WorkingDirectory = carriedDirectory,
            WorkingDirectoryModes = carriedModes,
            Files = [],
        }, cancellationToken, hashedDuringDump, encoded);
        KeepInRestoreCache(jobId, sequence);
        // Where a checkpoint's time goes, for anyone comparing it with a raw dump: engine, then hashing and signing.
        logger.LogInformation("checkpoint {Sequence} of job {JobId}: {Bytes} bytes stored ({Kind}, {NewPages} of {Pages} pages stored), paused {Pause} ms, dump {Dump} ms, encoded and sealed in {Seal} ms ({Early} of {Chunks} chunks hashed during the dump)",
            sequence, jobId, manifest.TotalBytes, parent is null ? "full" : $"incremental on {parent.Manifest.Sequence}", encoded.NewPages, encoded.ImagePages,
            timings.AppPause.TotalMilliseconds, timings.Dump.TotalMilliseconds, time.GetElapsedTime(sealing).TotalMilliseconds,
            hashedWhileDumping, manifest.Files.Sum(f => f.Chunks.Count));
        ApplyRetention(jobId, sequence);
        return new CheckpointInfo
        {
            Sequence = sequence,
            NodeId = NodeId,
            TakenAt = startedAt,
            Progress = atFreeze?.Fraction,
            SizeBytes = manifest.TotalBytes,
            Duration = time.GetUtcNow() - startedAt,
            AppPause = timings.AppPause,
            Dump = timings.Dump,
            LeaveRunning = leaveRunning,
            Engine = manifest.Engine,
            ParentSequence = manifest.ParentSequence,
            Pool = manifest.Pool,
            CpuFlags = manifest.CpuFlags,
        };
    }

    /// <summary>The newest checkpoint's full page images replace the job's restore cache; a failure costs only speed (a restore decodes the chain).</summary>
    private void KeepInRestoreCache(string jobId, int sequence)
    {
        try
        {
            restoreCache.Keep(jobId, sequence);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("the restore cache of job {JobId} could not take checkpoint {Sequence}: {Problem}", jobId, sequence, e.Message);
            TryDelete(restoreCache.Incoming(jobId, sequence));
            TryDelete(restoreCache.DirectoryFor(jobId, sequence));
        }
    }

    /// <summary>
    /// The job's working directory when it is the agent's job directory, whose files then travel with each checkpoint;
    /// null when the job runs elsewhere (a directory its spec named is expected on every node that may restore it).
    /// </summary>
    private string? CarriedWorkingDirectory(string jobId, int pid)
    {
        try
        {
            var cwd = Directory.ResolveLinkTarget($"/proc/{pid}/cwd", returnFinalTarget: false)?.FullName;
            return cwd is not null && Path.TrimEndingDirectorySeparator(cwd) == Path.TrimEndingDirectorySeparator(paths.JobDirectory(jobId)) ? paths.JobDirectory(jobId) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Bundles retention deleted since the last call, for the platform to hear of.</summary>
    public IReadOnlyList<PrunedCheckpoint> TakePruned()
    {
        var taken = new List<PrunedCheckpoint>();
        while (_pruned.TryDequeue(out var pruned))
            taken.Add(pruned);
        return taken;
    }

    /// <summary>
    /// Deletes checkpoint <paramref name="sequence"/> of the job from this node (the platform has checked that nothing
    /// needs it). A bundle already gone counts as deleted.
    /// </summary>
    public async Task DeleteCheckpointAsync(string jobId, int sequence, CancellationToken cancellationToken)
    {
        RequireValidJobId(jobId);
        if (sequence < 1)
            throw new AgentRejectionException($"checkpoint sequence must be at least 1, not {sequence}");
        using var _ = await LockAsync(jobId, cancellationToken);
        var bundle = paths.Checkpoint(jobId, sequence);
        try
        {
            if (Directory.Exists(bundle.Directory))
                Directory.Delete(bundle.Directory, recursive: true);
            restoreCache.Forget(jobId, sequence);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AgentRejectionException($"could not delete checkpoint {sequence} of job {jobId} on node {NodeId}: {e.Message}");
        }
        LastVerifiedCheckpoint.Forget(paths, jobId, sequence);
        logger.LogInformation("deleted checkpoint {Sequence} of job {JobId} on request", sequence, jobId);
    }

    /// <summary>
    /// Runs <paramref name="use"/> on the full images of a private copy of checkpoint <paramref name="sequence"/> that passed
    /// every check a restore makes, holding the job's lock so no checkpoint, restore or retention of the job runs meanwhile.
    /// </summary>
    public async Task<T> WithVerifiedCopyAsync<T>(string jobId, int sequence, string staging, Func<string, Task<T>> use, CancellationToken cancellationToken)
    {
        RequireValidJobId(jobId);
        using var _ = await LockAsync(jobId, cancellationToken);
        try
        {
            return await use((await StageVerifiedAsync(jobId, sequence, NodeId, staging, cancellationToken)).Images);
        }
        finally
        {
            TryDelete(staging);
        }
    }

    /// <summary>The running job's root process on this node, or null when it does not run here.</summary>
    public JobHandle? RunningHandle(string jobId) => _running.TryGetValue(jobId, out var job) ? job.Handle : null;

    /// <summary>
    /// The restore pre-flight for placement: would checkpoint <paramref name="sequence"/> of the job,
    /// held here, be restored on this node? Runs every check a restore runs before CRIU (signature,
    /// files, CPU flags, engine version) and restores nothing; a running copy is left alone.
    /// </summary>
    /// <returns>Null when it would be restored, else the reason a restore would give.</returns>
    public async Task<string?> CheckRestorableAsync(string jobId, int sequence, CancellationToken cancellationToken)
    {
        try
        {
            RequireValidJobId(jobId);
            using var _ = await LockAsync(jobId, cancellationToken);
            var staging = paths.RestoreStaging(jobId, sequence);
            try
            {
                await StageVerifiedAsync(jobId, sequence, NodeId, staging, cancellationToken);
                return null;
            }
            finally
            {
                TryDelete(staging);
            }
        }
        catch (AgentRejectionException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Restores the job from checkpoint <paramref name="sequence"/>: everything but its page images is verified first; the page
    /// images (from the bundle, or from the node's restore cache for an incremental checkpoint) are hashed while CRIU copies
    /// them, and the restored tasks run only once they verified (the engine's page gate; see docs/capture.md).
    /// </summary>
    public async Task<JobHandle> RestoreAsync(string jobId, int sequence, string checkpointNodeId, CancellationToken cancellationToken, long epoch = 0)
    {
        RequireValidJobId(jobId);
        using var _ = await LockAsync(jobId, cancellationToken);
        var staging = paths.RestoreStaging(jobId, sequence);
        Task? pagesVerified = null;
        try
        {
            var started = time.GetTimestamp();
            var prepared = await PrepareGatedAsync(jobId, sequence, checkpointNodeId, staging, cancellationToken);
            var verified = time.GetTimestamp();
            var pagesStarted = time.GetTimestamp();
            long? pagesDone = null;
            pagesVerified = Task.Run(async () =>
            {
                await prepared.VerifyPagesAsync(cancellationToken);
                pagesDone = time.GetTimestamp();
            }, cancellationToken);

            // A hung or stale copy is replaced: it must be gone before its image comes back, and it is ended only for a
            // checkpoint that verified in full (page images included), so that a bad one leaves it running.
            if (_running.ContainsKey(jobId))
                await PagesOrRefusalAsync(pagesVerified, jobId, sequence);
            if (_running.TryRemove(jobId, out var old))
                await EndOldCopyAsync(old, cancellationToken);
            await progress.FlushAsync(cancellationToken);
            progress.Reset(jobId);
            progress.WatchFile(jobId, paths.ProgressFile(jobId));
            await PutBackWorkingDirectoryAsync(jobId, sequence, prepared.Manifest, paths.Checkpoint(jobId, sequence), cancellationToken);

            JobHandle handle;
            try
            {
                handle = await engine.RestoreAsync(jobId, paths.JobDirectory(jobId), prepared.ImagesDirectory, cancellationToken, pagesVerified: pagesVerified);
            }
            catch (CheckpointEngineException e)
            {
                // A refused page image is the reason, whatever CRIU said about being stopped.
                await PagesOrRefusalAsync(pagesVerified, jobId, sequence);
                throw new AgentRejectionException(e.Message);
            }
            Track(handle, epoch);
            // Where a restore's time goes, for bench/ and for people: verification (and decoding of a chain) vs the engine.
            logger.LogInformation("restored job {JobId} from checkpoint {Sequence} as PID {Pid} (page images from {Source}): staged, verified and decoded in {Verify:0} ms, then the restore itself (old copy ended, files put back, engine) took {Engine:0} ms, its page images hashed meanwhile in {Pages:0} ms",
                jobId, sequence, handle.Pid, prepared.Source, time.GetElapsedTime(started, verified).TotalMilliseconds, time.GetElapsedTime(verified).TotalMilliseconds,
                pagesDone is { } done ? time.GetElapsedTime(pagesStarted, done).TotalMilliseconds : double.NaN);
            SampleAtFirstProgress(jobId);
            return handle;
        }
        finally
        {
            // The hashing reads the staged copy: it ends before the copy goes.
            if (pagesVerified is not null)
                await pagesVerified.ContinueWith(_ => { }, TaskScheduler.Default);
            TryDelete(staging);
        }
    }

    /// <summary>Waits for the page images' verification; a refusal is reported as every refused checkpoint is.</summary>
    private static async Task PagesOrRefusalAsync(Task pagesVerified, string jobId, int sequence)
    {
        try
        {
            await pagesVerified;
        }
        catch (CheckpointBundleRejectedException e)
        {
            throw new AgentRejectionException($"checkpoint {sequence} of job {jobId} refused: {e.Reason}");
        }
        catch (IOException e)
        {
            throw new AgentRejectionException($"checkpoint {sequence} of job {jobId} could not be prepared for the engine: {e.Message}");
        }
    }

    /// <summary>
    /// Asks for a heartbeat as soon as a restored job reports progress, for up to two heartbeat
    /// intervals; after that the regular ticks carry it.
    /// </summary>
    private void SampleAtFirstProgress(string jobId) => _ = SampleAtFirstProgressAsync(jobId);

    private async Task SampleAtFirstProgressAsync(string jobId)
    {
        var poll = TimeSpan.FromMilliseconds(20);
        var until = time.GetUtcNow() + 2 * _options.HeartbeatInterval;
        try
        {
            while (time.GetUtcNow() < until)
            {
                if (progress.Get(jobId) is not null)
                {
                    SampleRequests.Request();
                    return;
                }
                await Task.Delay(poll, time);
            }
        }
        catch (Exception e)
        {
            logger.LogDebug("watching job {JobId}'s first progress after its restore stopped: {Problem}", jobId, e.Message);
        }
    }

    /// <summary>A failed clean-up must not turn a good checkpoint into a failed one; it is retried after the next checkpoint.</summary>
    private void ApplyRetention(string jobId, int sequence)
    {
        try
        {
            foreach (var pruned in retention.Apply(jobId, sequence))
            {
                restoreCache.Forget(jobId, pruned.Sequence);
                _pruned.Enqueue(pruned);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("retention of job {JobId}'s checkpoints failed: {Problem}", jobId, e.Message);
        }
    }

    /// <summary>The job's files carried in the bundle go back where the image expects them, before the engine restores it.</summary>
    private static async Task PutBackWorkingDirectoryAsync(string jobId, int sequence, CheckpointManifest manifest, CheckpointBundle bundle, CancellationToken cancellationToken)
    {
        if (manifest.WorkingDirectory is not { } directory)
            return;
        // Signed, but still only ever a job directory of this job: never a path elsewhere on the node.
        if (!Path.IsPathFullyQualified(directory) || Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)) != jobId || directory.Contains("/../", StringComparison.Ordinal))
            throw new AgentRejectionException($"checkpoint {sequence} of job {jobId} refused: its working directory {directory} is not a job directory of {jobId}");
        try
        {
            await WorkingDirectoryFiles.RestoreAsync(bundle, manifest, directory, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AgentRejectionException($"checkpoint {sequence} of job {jobId}: its working directory could not be put back in {directory}: {e.Message}");
        }
    }

    /// <summary>Everything a restore checks before CRIU sees the bundle, on private staged copies of it and the parents it needs, page images included; the caller holds the job's lock and deletes <paramref name="staging"/>.</summary>
    /// <returns>The directory of full images to restore from.</returns>
    private async Task<(CheckpointManifest Manifest, string Images)> StageVerifiedAsync(string jobId, int sequence, string checkpointNodeId, string staging, CancellationToken cancellationToken)
    {
        var prepared = await PrepareCheckedAsync(jobId, sequence, checkpointNodeId, async () =>
        {
            var (manifest, images) = await chainRestorer.PrepareAsync(s => paths.Checkpoint(jobId, s), jobId, sequence, staging, cancellationToken);
            return new PreparedRestore(manifest, images, "its chain, verified in full", _ => Task.CompletedTask);
        }, cancellationToken);
        return (prepared.Manifest, prepared.ImagesDirectory);
    }

    /// <summary>As <see cref="StageVerifiedAsync"/>, but the page images are left to <see cref="PreparedRestore.VerifyPagesAsync"/>, for a restore through the engine's page gate.</summary>
    private Task<PreparedRestore> PrepareGatedAsync(string jobId, int sequence, string checkpointNodeId, string staging, CancellationToken cancellationToken) =>
        PrepareCheckedAsync(jobId, sequence, checkpointNodeId,
            () => chainRestorer.PrepareGatedAsync(s => paths.Checkpoint(jobId, s), jobId, sequence, staging, restoreCache.DirectoryFor(jobId, sequence), cancellationToken),
            cancellationToken);

    /// <summary>Everything a restore checks before CRIU sees the bundle (what <paramref name="prepare"/> verifies, then the CPU and engine the signed manifest names); the caller holds the job's lock and deletes the staging directory.</summary>
    private async Task<PreparedRestore> PrepareCheckedAsync(string jobId, int sequence, string checkpointNodeId, Func<Task<PreparedRestore>> prepare, CancellationToken cancellationToken)
    {
        var bundle = paths.Checkpoint(jobId, sequence);
        if (!Directory.Exists(bundle.Directory))
            throw new AgentRejectionException(checkpointNodeId == NodeId
                ? $"checkpoint {sequence} of job {jobId} does not exist on node {NodeId}"
                : $"checkpoint {sequence} of job {jobId} is held by node {checkpointNodeId} and has not been transferred here (TransferCheckpoint)");
        var probe = _probe ?? await ProbeAsync(cancellationToken);
        if (!probe.Usable)
            throw new AgentRejectionException($"restores are not possible on node {NodeId}: {probe.Problem}");

        PreparedRestore prepared;
        try
        {
            prepared = await prepare();
        }
        catch (IOException e)
        {
            // Not the bundle's fault (a full disk while decoding, say), but the restore cannot go on either.
            throw new AgentRejectionException($"checkpoint {sequence} of job {jobId} could not be prepared for the engine: {e.Message}");
        }
        catch (CheckpointBundleRejectedException e)
        {
            throw new AgentRejectionException($"checkpoint {sequence} of job {jobId} refused: {e.Reason}");
        }
        var manifest = prepared.Manifest;
        // Only now is the manifest's word on CPU and engine trusted: its signature held.
        if (RestoreCompatibility.Problem(new CpuInfo(manifest.CpuModel, manifest.CpuFlags.ToHashSet(StringComparer.Ordinal)), manifest.Engine, cpu, probe.Version) is { } incompatible)
            throw new AgentRejectionException($"checkpoint {sequence} of job {jobId} refused: {incompatible}");
        return prepared;
    }

    /// <param name="upToEpoch">When set, only a copy of that epoch or older is killed: a newer placement here is not the copy meant.</param>
    /// <returns>False when the job is not running here (or runs under a newer epoch).</returns>
    public async Task<bool> KillAsync(string jobId, CancellationToken cancellationToken, long? upToEpoch = null)
    {
        if (!JobIds.IsValid(jobId))
            return false;
        using var _ = await LockAsync(jobId, cancellationToken);
        return _running.TryGetValue(jobId, out var job) && (upToEpoch is not { } limit || job.Epoch <= limit) && engine.Kill(job.Handle);
    }

    /// <summary>Kills every job this node runs, and remembers why for their exit reports.</summary>
    /// <returns>The jobs that were killed.</returns>
    public async Task<IReadOnlyList<string>> FenceAllAsync(string reason, CancellationToken cancellationToken)
    {
        var killed = new List<string>();
        foreach (var jobId in _running.Keys)
        {
            using var _ = await LockAsync(jobId, cancellationToken);
            if (_running.TryGetValue(jobId, out var job) && engine.Kill(job.Handle))
            {
                _fenceReasons[jobId] = reason;
                killed.Add(jobId);
            }
        }
        return killed;
    }

    /// <summary>Why a job whose process is gone without an exit status is reported as ended.</summary>
    public const string VanishedReason = "the process is gone and left no exit status (its caas-shim supervisor was killed?)";

    /// <summary>Jobs whose root ended since the last call; they are no longer tracked. Jobs busy in an operation are looked at next time.</summary>
    public IReadOnlyList<JobProcessExited> CollectExits()
    {
        var exits = new List<JobProcessExited>();
        foreach (var (jobId, job) in _running)
        {
            var gate = _locks.GetOrAdd(jobId, _ => new SemaphoreSlim(1, 1));
            if (!gate.Wait(0))
                continue;
            try
            {
                if (!_running.TryGetValue(jobId, out var current) || current != job)
                    continue;
                var exit = engine.ReadExit(job.Handle.StateDirectory);
                if (exit is null)
                {
                    if (engine.IsRunning(job.Handle))
                    {
                        job.MissingTicks = 0;
                        continue;
                    }
                    if (++job.MissingTicks < MissingTicksBeforeUnknownExit)
                        continue;
                    logger.LogWarning("job {JobId} (PID {Pid}) is gone and left no exit status", jobId, job.Handle.Pid);
                }
                _running.TryRemove(jobId, out var _);
                progress.Forget(jobId);
                if (exit is { Checkpointed: true })
                {
                    records.Save(new JobRecord(jobId, job.Handle.Pid, job.Handle.StartTicks, JobRecordState.Stopped, job.StartedAt, job.Epoch));
                    continue;
                }
                exits.Add(exit is null
                    ? new JobProcessExited(jobId, NodeId, null, null, time.GetUtcNow(), VanishedReason)
                    : Exited(jobId, exit));
            }
            finally
            {
                gate.Release();
            }
        }
        return exits;
    }

    /// <summary>Marks the exit as reported, so that a restarted agent does not report it again.</summary>
    public void MarkReported(JobProcessExited exit)
    {
        var existing = records.Load(exit.JobId);
        if (existing is { State: JobRecordState.Running } && !_running.ContainsKey(exit.JobId))
            records.Save(existing with { State = JobRecordState.Ended });
        // Its OOM count was read for this report; the job's cgroup has done its work.
        if (!_running.ContainsKey(exit.JobId))
            engine.ReleaseLimits(exit.JobId);
    }

    public IReadOnlyList<JobSample> Sample()
    {
        var samples = new List<JobSample>();
        var jobs = _running.ToArray();
        var trees = sampler.SampleTrees(jobs.Select(j => j.Value.Handle.Pid).ToList());
        foreach (var (jobId, job) in jobs)
        {
            if (!trees.TryGetValue(job.Handle.Pid, out var tree))
                continue;
            var reported = progress.Get(jobId);
            samples.Add(TreeSamples.Of(jobId, tree) with
            {
                Progress = reported?.Fraction,
                ProgressMessage = reported?.Message,
                LastReportAt = reported?.LastReportAt,
                Epoch = job.Epoch,
            });
        }
        return samples;
    }

    public bool IsTracked(string jobId) => _running.ContainsKey(jobId);

    private async Task EndOldCopyAsync(TrackedJob old, CancellationToken cancellationToken)
    {
        engine.Kill(old.Handle);
        // Its shim writes the exit file after the root is reaped; a late write would be taken for the
        // restored copy's exit. This waits on the kernel, not on domain time, so it uses the real clock.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((engine.IsRunning(old.Handle) || engine.ReadExit(old.Handle.StateDirectory) is null) && waited.Elapsed < OldCopyExitWait)
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        if (engine.IsRunning(old.Handle))
            throw new AgentRejectionException($"the running copy of job {old.Handle.JobId} (PID {old.Handle.Pid}) did not end after SIGKILL");
        logger.LogInformation("killed the running copy of job {JobId} (PID {Pid}) to restore it", old.Handle.JobId, old.Handle.Pid);
    }

    private async Task<JobProgress?> ProgressNowAsync(string jobId, CancellationToken cancellationToken)
    {
        await progress.FlushAsync(cancellationToken);
        return progress.Get(jobId);
    }

    private void Track(JobHandle handle, long epoch)
    {
        var startedAt = time.GetUtcNow();
        records.Save(new JobRecord(handle.JobId, handle.Pid, handle.StartTicks, JobRecordState.Running, startedAt, epoch));
        _running[handle.JobId] = new TrackedJob(handle, startedAt, epoch);
    }

    private JobProcessExited Exited(string jobId, JobExitStatus exit)
    {
        if (exit.Error is not null)
            logger.LogWarning("job {JobId} ended with an engine error: {Error}", jobId, exit.Error);
        // Only a SIGKILL can be the OOM killer's; the job's cgroup counts whether it was.
        var outOfMemory = exit.Signal == 9 && engine.WasOutOfMemory(jobId);
        var reason = _fenceReasons.TryRemove(jobId, out var fenced) ? exit.Error ?? fenced : exit.Error;
        return new JobProcessExited(jobId, NodeId, exit.ExitCode, exit.Signal, time.GetUtcNow(), reason, outOfMemory);
    }

    private async Task<IDisposable> LockAsync(string jobId, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(jobId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new Release(gate);
    }

    private static void RequireValidJobId(string jobId)
    {
        if (!JobIds.IsValid(jobId))
            throw new AgentRejectionException($"'{jobId}' is not a job id (expected \"job-\" and 10 lower-case hex digits)");
    }

    private void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (IOException e)
        {
            logger.LogWarning("could not delete {Directory}: {Problem}", directory, e.Message);
        }
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
