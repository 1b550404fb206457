using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Caas.Capture.Agent.Jobs;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Bundles;
using Caas.Capture.Engine.Cpu;
using Caas.Capture.Engine.Distributed;
using Caas.Capture.Engine.Network;
using Caas.Capture.Engine.Proc;
using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Agent.Ranks;

/// <summary>
/// The ranks of distributed jobs this agent holds, each in a network namespace of its own, and the steps of a
/// coordinated checkpoint or restore done to them through the engine's <see cref="LocalCheckpointRank"/> and
/// <see cref="LocalRestoreRank"/>. A dump is sealed into a signed bundle (<see cref="RankBundles"/>) that names the rank and its
/// address, so it can be moved to another agent with the ordinary transfer; a restore verifies the bundle (signature, every
/// chunk, CPU and engine, rank and address) before the engine sees it. Steps on one rank run one at a time. Each rank's state is written to a
/// <see cref="RankRecord"/> after every change, so that an agent that restarts holds its ranks again.
/// </summary>
public sealed class NodeRanks
{
    private const string RecordFile = "rank.json";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<(string JobId, int Rank), HeldRank> _ranks = new();
    private readonly ICheckpointEngine engine;
    private readonly RankNamespaces namespaces;
    private readonly AgentPaths paths;
    private readonly CheckpointBundleWriter writer;
    private readonly CheckpointChainRestorer restorer;
    private readonly CpuInfo cpu;
    private readonly AgentOptions options;
    private readonly TimeProvider time;
    private readonly ProcSampler sampler;
    private EngineProbe? _probe;

    public NodeRanks(ICheckpointEngine engine, RankNamespaces namespaces, AgentPaths paths, CheckpointBundleWriter writer,
        CheckpointChainRestorer restorer, CpuInfo cpu, IOptions<AgentOptions> options, TimeProvider time, ProcSampler sampler)
    {
        this.sampler = sampler;
        this.engine = engine;
        this.namespaces = namespaces;
        this.paths = paths;
        this.writer = writer;
        this.restorer = restorer;
        this.cpu = cpu;
        this.options = options.Value;
        this.time = time;
        foreach (var held in LoadRecords())
            _ranks[(held.JobId, held.Rank)] = held;
    }

    /// <summary>How many ranks run here: each takes a job slot of the node, as a job does.</summary>
    public int RunningCount => _ranks.Values.Count(held => held.Job is { } job && engine.IsRunning(job));

    /// <summary>The rank's running process, if this agent holds it and it runs.</summary>
    public JobHandle? Running(string jobId, int rank) =>
        _ranks.TryGetValue((jobId, rank), out var held) && held.Job is { } job && engine.IsRunning(job) ? job : null;

    /// <summary>The engine state directory (output, exit) of the rank's current generation on this agent.</summary>
    public string StateDirectory(string jobId, int rank) =>
        _ranks.TryGetValue((jobId, rank), out var held) ? held.StateDirectory : throw new AgentRejectionException(NotHeld(jobId, rank));

    /// <summary>Where this agent keeps the rank's signed bundle of coordinated checkpoint <paramref name="sequence"/>.</summary>
    public CheckpointBundle Bundle(string jobId, int rank, int sequence) => paths.Checkpoint(jobId, RankBundles.Sequence(sequence, rank));

    /// <exception cref="AgentRejectionException">Bad input, a rank already held, or a launch that failed (nothing is left behind).</exception>
    public async Task LaunchAsync(LaunchRank command, CancellationToken cancellationToken)
    {
        Validate(command.JobId, command.Rank);
        if (command.Addresses.Count == 0 || command.Rank >= command.Addresses.Count)
            throw new AgentRejectionException($"rank {command.Rank} has no address among the {command.Addresses.Count} given");
        foreach (var address in command.Addresses)
            RequireAddress(address);
        if (command.Addresses.Distinct().Count() != command.Addresses.Count)
            throw new AgentRejectionException("two ranks were given the same address");
        var held = new HeldRank(command.JobId, command.Rank);
        var launched = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        held.Launching = launched.Task;
        while (!_ranks.TryAdd((command.JobId, command.Rank), held))
        {
            if (!_ranks.TryGetValue((command.JobId, command.Rank), out var existing))
                continue;
            // The bus delivers at least once: a launch delivered again, while the first delivery still launches or after
            // it, gets the first one's answer (its process may have ended since; that exit is reported on its own).
            if (existing.Launching is { } inFlight)
            {
                if (await inFlight.WaitAsync(cancellationToken) is { } firstFailure)
                    throw new AgentRejectionException(firstFailure);
                if (existing.Network?.Address == command.Addresses[command.Rank])
                    return;
            }
            else if (Running(command.JobId, command.Rank) is not null && existing.Network?.Address == command.Addresses[command.Rank])
                return;
            throw new AgentRejectionException($"rank {command.Rank} of job {command.JobId} is already held by this agent");
        }
        try
        {
            var workingDirectory = Directory.CreateDirectory(WorkingDirectory(command.JobId, command.Rank)).FullName;
            var executable = ExecutableResolver.Resolve(command.Command, workingDirectory, null);
            await held.Gate.WaitAsync(cancellationToken);
            try
            {
                held.Network = await namespaces.CreateAsync(NamespaceName(held), command.Addresses[command.Rank], locked: false, cancellationToken);
                held.StateDirectory = StateDirectoryOf(held);
                held.Job = await engine.LaunchAsync(new JobLaunchRequest
                {
                    JobId = command.JobId,
                    StateDirectory = held.StateDirectory,
                    Executable = executable,
                    Args = command.Args,
                    Environment = new Dictionary<string, string>
                    {
                        ["CAAS_RANK"] = command.Rank.ToString(),
                        ["CAAS_RANKS"] = command.Addresses.Count.ToString(),
                        ["CAAS_RANK_ADDRESSES"] = string.Join(',', command.Addresses),
                    },
                    WorkingDirectory = workingDirectory,
                    NetworkNamespace = held.Network.Path,
                }, cancellationToken);
                Save(held);
            }
            finally
            {
                held.Gate.Release();
            }
            launched.SetResult(null);
        }
        catch (Exception e)
        {
            // Whatever failed (also a cancelled or timed-out launch), nothing is left held: a later redelivery starts afresh.
            if (held.Network is { } network)
                await namespaces.DeleteAsync(network.Name, CancellationToken.None);
            _ranks.TryRemove((command.JobId, command.Rank), out _);
            launched.SetResult(e.Message);
            if (e is CheckpointEngineException or AgentRejectionException or IOException or UnauthorizedAccessException)
                throw new AgentRejectionException(e.Message);
            throw;
        }
    }

    /// <summary>
    /// A sample of every rank whose process runs here, for the node's heartbeat: its tree's CPU time, I/O bytes and
    /// state, as for a job, so that the platform sees a rank that stopped moving (stall). Reads the rank's handle without
    /// its gate: a heartbeat never waits for a step, and a rank mid-step is sampled as it is (or skipped when its process is gone).
    /// </summary>
    public IReadOnlyList<RankSample> Sample()
    {
        var running = _ranks.Values.Select(held => (held, Job: held.Job, held.Generation)).Where(r => r.Job is not null).ToList();
        var trees = sampler.SampleTrees(running.Select(r => r.Job!.Pid).ToList());
        var samples = new List<RankSample>(running.Count);
        foreach (var (held, job, generation) in running)
        {
            // A PID taken by another process since the rank's ended is not the rank: its start time tells them apart.
            if (trees.TryGetValue(job!.Pid, out var tree) && engine.IsRunning(job))
                samples.Add(new RankSample(held.Rank, generation, TreeSamples.Of(held.JobId, tree)));
        }
        return samples;
    }

    /// <summary>
    /// Ranks whose process ended on its own since the last call (not stopped by a step: a rank busy in a step is looked
    /// at next time), with their status; each is no longer running here. Its namespace, and so its address on the
    /// fabric, is freed in the background: this runs in the agent's heartbeat, which must never wait on it.
    /// </summary>
    public IReadOnlyList<RankProcessExited> CollectExits()
    {
        var exits = new List<RankProcessExited>();
        foreach (var held in _ranks.Values)
        {
            if (held.Job is not { } job || !held.Gate.Wait(0))
                continue;
            try
            {
                if (held.Job != job || engine.ReadExit(held.StateDirectory) is not { Checkpointed: false } exit || engine.IsRunning(job))
                    continue;
                held.Job = null;
                Save(held);
                exits.Add(new RankProcessExited(held.JobId, held.Rank, options.NodeId, held.Generation, exit.ExitCode, exit.Signal, time.GetUtcNow()));
                if (held.Network is { } network)
                    _ = Task.Run(() => FreeNamespaceAsync(held, network));
            }
            finally
            {
                held.Gate.Release();
            }
        }
        return exits;
    }

    /// <summary>Deletes an ended rank's namespace unless a step gave the rank another meanwhile; a failure leaves it for the next stop or restore of the rank.</summary>
    private async Task FreeNamespaceAsync(HeldRank held, RankNamespace network)
    {
        await held.Gate.WaitAsync();
        try
        {
            if (held.Network != network || held.Job is not null)
                return;
            await namespaces.DeleteAsync(network.Name);
            held.Network = null;
            Save(held);
        }
        catch (Exception e) when (e is CheckpointEngineException or IOException or UnauthorizedAccessException)
        {
            // Left recorded as the rank's: an Abandon of the rank deletes it.
        }
        finally
        {
            held.Gate.Release();
        }
    }

    /// <summary>Carries out one step; for a Dump returns the engine's timings.</summary>
    /// <exception cref="AgentRejectionException">Bad input, a rank not held, or a step the engine could not do.</exception>
    public async Task<CheckpointTimings?> StepAsync(RankStep step, CancellationToken cancellationToken)
    {
        Validate(step.JobId, step.Rank);
        if (step.Kind is RankStepKind.Dump or RankStepKind.Restore && step.Sequence is < 1 or > RankBundles.MaxCheckpoint)
            throw new AgentRejectionException($"checkpoint sequence {step.Sequence} is invalid (expected 1 to {RankBundles.MaxCheckpoint})");
        var held = step.Kind == RankStepKind.Prepare
            ? _ranks.GetOrAdd((step.JobId, step.Rank), key => new HeldRank(key.JobId, key.Rank))
            : _ranks.TryGetValue((step.JobId, step.Rank), out var found) ? found : throw new AgentRejectionException(NotHeld(step.JobId, step.Rank));
        await held.Gate.WaitAsync(cancellationToken);
        try
        {
            return await StepAsync(held, step, cancellationToken);
        }
        catch (Exception e) when (e is CheckpointEngineException or IOException or UnauthorizedAccessException)
        {
            throw new AgentRejectionException(e.Message);
        }
        finally
        {
            // A step that failed half-way (a namespace made, a restore not) is recorded as far as it went.
            Save(held);
            held.Gate.Release();
        }
    }

    private async Task<CheckpointTimings?> StepAsync(HeldRank held, RankStep step, CancellationToken cancellationToken)
    {
        switch (step.Kind)
        {
            case RankStepKind.Lock:
                await namespaces.LockAsync(RequireNetwork(held).Name, cancellationToken);
                return null;
            case RankStepKind.Unlock:
                await namespaces.UnlockAsync(RequireNetwork(held).Name, cancellationToken);
                return null;
            case RankStepKind.Dump:
                return await DumpAsync(held, step.Sequence, cancellationToken);
            case RankStepKind.Stop:
                await Checkpoint(held).StopAsync(cancellationToken);
                held.Job = null;
                held.Network = null;
                return null;
            case RankStepKind.Prepare:
                if (held.Network is not null)
                    throw new AgentRejectionException($"rank {held.Rank} of job {held.JobId} still has a namespace on this agent; stop it first");
                var address = RequireAddress(step.Address);
                held.Generation++;
                held.Network = await namespaces.CreateAsync(NamespaceName(held), address, locked: true, cancellationToken);
                held.StateDirectory = StateDirectoryOf(held);
                return null;
            case RankStepKind.Restore:
                if (held.Job is { } running && engine.IsRunning(running))
                    throw new AgentRejectionException($"rank {held.Rank} of job {held.JobId} is running; it cannot be restored over");
                await RestoreAsync(held, step.Sequence, cancellationToken);
                return null;
            case RankStepKind.Abandon:
                if (held.Network is null)
                    return null;
                if (held.Job is { } restored)
                    engine.Kill(restored);
                held.Job = null;
                await namespaces.DeleteAsync(held.Network.Name, cancellationToken);
                held.Network = null;
                return null;
            default:
                throw new AgentRejectionException($"unknown rank step {step.Kind}");
        }
    }

    /// <summary>Dumps the rank (left running, its network locked by the coordinator) and seals the images with its working directory, rank and address.</summary>
    private async Task<CheckpointTimings> DumpAsync(HeldRank held, int sequence, CancellationToken cancellationToken)
    {
        var rank = Checkpoint(held);
        var probe = _probe ??= await engine.ProbeAsync(cancellationToken);
        var bundle = Bundle(held.JobId, held.Rank, sequence);
        if (Directory.Exists(bundle.Directory))
            throw new AgentRejectionException($"rank {held.Rank} of job {held.JobId} already has checkpoint {sequence}");
        var takenAt = time.GetUtcNow();
        try
        {
            var timings = await rank.DumpAsync(bundle.ImagesDirectory, cancellationToken);
            var workingDirectory = WorkingDirectory(held.JobId, held.Rank);
            var modes = await WorkingDirectoryFiles.CopyIntoAsync(workingDirectory, bundle, cancellationToken);
            await writer.SealAsync(bundle, new CheckpointManifest
            {
                JobId = held.JobId,
                Sequence = RankBundles.Sequence(sequence, held.Rank),
                Engine = probe.Version ?? "criu",
                NodeId = options.NodeId,
                Pool = options.Pool,
                CpuModel = cpu.Model,
                CpuFlags = [.. cpu.Flags.Order(StringComparer.Ordinal)],
                TakenAt = takenAt,
                LeaveRunning = true,
                AppPause = timings.AppPause,
                Dump = timings.Dump,
                WorkingDirectory = workingDirectory,
                WorkingDirectoryModes = modes,
                Rank = held.Rank,
                RankAddress = RequireNetwork(held).Address,
                Files = [],
            }, cancellationToken);
            return timings;
        }
        catch
        {
            // Half a bundle would block the next attempt and could never be restored.
            TryDelete(bundle.Directory);
            throw;
        }
    }

    /// <summary>
    /// Restores the rank from its bundle on this agent (taken here or transferred from the agent that dumped it), into the
    /// prepared namespace, after the bundle passed every check: signature, files, chunks, this node's CPU and engine (as
    /// for any restore), and that it is this rank's and was taken at the address the namespace carries.
    /// </summary>
    private async Task RestoreAsync(HeldRank held, int sequence, CancellationToken cancellationToken)
    {
        var network = RequireNetwork(held);
        var bundleSequence = RankBundles.Sequence(sequence, held.Rank);
        var bundle = Bundle(held.JobId, held.Rank, sequence);
        if (!File.Exists(bundle.ManifestPath))
            throw new AgentRejectionException($"this agent has no checkpoint {sequence} of rank {held.Rank} of job {held.JobId} (transfer it here first)");
        var staging = Path.Combine(RankDirectory(held.JobId, held.Rank), $"restore-{sequence}");
        TryDelete(staging);
        try
        {
            CheckpointManifest manifest;
            string images;
            try
            {
                (manifest, images) = await restorer.PrepareAsync(s => paths.Checkpoint(held.JobId, s), held.JobId, bundleSequence, staging, cancellationToken);
            }
            catch (CheckpointBundleRejectedException e)
            {
                throw new AgentRejectionException($"checkpoint {sequence} of rank {held.Rank} of job {held.JobId} refused: {e.Reason}");
            }
            // Only now is the manifest's word on CPU and engine trusted: its signature held.
            var probe = _probe ??= await engine.ProbeAsync(cancellationToken);
            if (RestoreCompatibility.Problem(new CpuInfo(manifest.CpuModel, manifest.CpuFlags.ToHashSet(StringComparer.Ordinal)), manifest.Engine, cpu, probe.Version) is { } incompatible)
                throw new AgentRejectionException($"checkpoint {sequence} of rank {held.Rank} of job {held.JobId} refused: {incompatible}");
            if (manifest.Rank != held.Rank)
                throw new AgentRejectionException($"checkpoint {sequence} of job {held.JobId} refused: its bundle is of rank {manifest.Rank?.ToString() ?? "none"}, not {held.Rank}");
            if (manifest.RankAddress != network.Address)
                throw new AgentRejectionException(
                    $"checkpoint {sequence} of rank {held.Rank} of job {held.JobId} refused: it was taken at {manifest.RankAddress ?? "no address"}, the namespace prepared for it carries {network.Address}");
            // Signed, but only ever this rank's working directory (the same path as on the node that took it: CRIU reopens it there).
            var expectedEnd = $"/ranks/{held.JobId}/{held.Rank}/cwd";
            if (manifest.WorkingDirectory is not { } workingDirectory || !Path.IsPathFullyQualified(workingDirectory)
                || !workingDirectory.EndsWith(expectedEnd, StringComparison.Ordinal) || workingDirectory.Contains("/../", StringComparison.Ordinal)
                || workingDirectory.Contains("/./", StringComparison.Ordinal))
                throw new AgentRejectionException($"checkpoint {sequence} of rank {held.Rank} of job {held.JobId} refused: its working directory is not a rank directory of the job");
            Directory.CreateDirectory(workingDirectory);
            await WorkingDirectoryFiles.RestoreAsync(bundle, manifest, workingDirectory, cancellationToken);
            var restore = new LocalRestoreRank(held.Rank, held.JobId, network, held.StateDirectory, images, engine, namespaces);
            await restore.RestoreAsync(cancellationToken);
            held.Job = restore.Job;
        }
        finally
        {
            TryDelete(staging);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private LocalCheckpointRank Checkpoint(HeldRank held) =>
        held.Job is { } job && held.Network is { } network
            ? new LocalCheckpointRank(held.Rank, job, network, engine, namespaces)
            : throw new AgentRejectionException($"rank {held.Rank} of job {held.JobId} is not running on this agent");

    private static RankNamespace RequireNetwork(HeldRank held) =>
        held.Network ?? throw new AgentRejectionException($"rank {held.Rank} of job {held.JobId} has no namespace on this agent");

    private string RankDirectory(string jobId, int rank) => Path.Combine(paths.DataDirectory, "ranks", jobId, rank.ToString());

    /// <summary>A working directory per rank: CRIU's parasite makes a directory there, and ranks sharing one collide.</summary>
    private string WorkingDirectory(string jobId, int rank) => Path.GetFullPath(Path.Combine(RankDirectory(jobId, rank), "cwd"));

    private string StateDirectoryOf(HeldRank held) => Path.Combine(RankDirectory(held.JobId, held.Rank), $"run-{held.Generation}");

    /// <summary>"job-0123456789-r2-g1": unique per rank and generation, so an old namespace still being torn down never blocks a restore.</summary>
    private static string NamespaceName(HeldRank held) => $"{held.JobId}-r{held.Rank}-g{held.Generation}";

    private void Save(HeldRank held)
    {
        var directory = Directory.CreateDirectory(RankDirectory(held.JobId, held.Rank)).FullName;
        var path = Path.Combine(directory, RecordFile);
        var record = new RankRecord(held.JobId, held.Rank, held.Generation, held.StateDirectory, held.Network?.Name, held.Network?.Address,
            held.Job?.Pid, held.Job?.StartTicks);
        File.WriteAllBytes(path + ".tmp", JsonSerializer.SerializeToUtf8Bytes(record, Json));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private IEnumerable<HeldRank> LoadRecords()
    {
        var root = Path.Combine(paths.DataDirectory, "ranks");
        if (!Directory.Exists(root))
            yield break;
        foreach (var path in Directory.EnumerateFiles(root, RecordFile, SearchOption.AllDirectories))
        {
            RankRecord? record;
            try
            {
                record = JsonSerializer.Deserialize<RankRecord>(File.ReadAllBytes(path), Json);
            }
            catch (JsonException)
            {
                continue;
            }
            if (record is null || !JobIds.IsValid(record.JobId) || record.Rank < 0)
                continue;
            yield return new HeldRank(record.JobId, record.Rank)
            {
                Generation = record.Generation,
                StateDirectory = record.StateDirectory,
                Network = record.Namespace is { } name && record.Address is { } address ? new RankNamespace(name, address) : null,
                Job = record.Pid is { } pid && record.StartTicks is { } ticks ? new JobHandle(record.JobId, record.StateDirectory, pid, ticks) : null,
            };
        }
    }

    private static string NotHeld(string jobId, int rank) => $"rank {rank} of job {jobId} is not held by this agent";

    private static void Validate(string jobId, int rank)
    {
        if (!JobIds.IsValid(jobId))
            throw new AgentRejectionException($"'{jobId}' is not a job id");
        if (rank is < 0 or >= RankBundles.MaxRanks)
            throw new AgentRejectionException($"rank {rank} is invalid (expected 0 to {RankBundles.MaxRanks - 1})");
    }

    private static string RequireAddress(string? address) =>
        IPAddress.TryParse(address, out var parsed) && parsed.AddressFamily == AddressFamily.InterNetwork && address == parsed.ToString()
            ? address
            : throw new AgentRejectionException($"'{address}' is not an IPv4 address");

    private sealed class HeldRank(string jobId, int rank)
    {
        public string JobId { get; } = jobId;
        public int Rank { get; } = rank;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public int Generation { get; set; }
        public string StateDirectory { get; set; } = "";
        public RankNamespace? Network { get; set; }
        public JobHandle? Job { get; set; }

        /// <summary>Completes when the launch that created this rank here ends: null once it runs, else why it failed.</summary>
        public Task<string?>? Launching { get; set; }
    }
}
