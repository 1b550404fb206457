using System.Globalization;
using System.Text.RegularExpressions;
using Caas.Capture.Engine.Limits;
using Caas.Capture.Engine.Proc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Engine;

/// <summary>
/// The CRIU engine: caas-shim starts each job in its own PID namespace as a session leader, owns its
/// output, and drives CRIU for dumps and restores; this class runs the shim and reads its state files.
/// </summary>
public sealed partial class CriuEngine(IOptions<CaptureOptions> options, ILogger<CriuEngine> logger) : ICheckpointEngine
{
    private const string PidFile = "pid";
    private const string ExitFile = "exit";
    /// <summary>Where the page gate of a gated restore reads the agent's verdict (native/shim/page_gate.h).</summary>
    private const string PageVerdictFile = "pages-verdict";
    /// <summary>Start time of a handle whose process had already ended when it was launched: no live process ever matches it.</summary>
    private const ulong EndedStartTicks = 0;
    private static readonly TimeSpan ExitStatusGrace = TimeSpan.FromSeconds(2);
    private readonly CaptureOptions _options = options.Value;
    private readonly MemoryCgroups _memory = new(options.Value.MemoryCgroupRoot);
    private readonly HostCriuLock _criu = new(options.Value.CriuLockPath);

    public async Task<EngineProbe> ProbeAsync(CancellationToken cancellationToken = default)
    {
        if (ShimProblem() is { } shimProblem)
            return new EngineProbe(false, null, shimProblem);
        if (!File.Exists(_options.CriuPath))
            return new EngineProbe(false, null, $"CRIU not found at {_options.CriuPath} (run scripts/install-criu.sh, or set CAAS_CRIU)");
        var version = await ExternalCommand.RunAsync(_options.CriuPath, ["--version"], _options.CommandTimeout, cancellationToken: cancellationToken);
        var match = CriuVersion().Match(version.StandardOutput);
        var name = match.Success ? $"criu {match.Groups[1].Value}" : "criu (unknown version)";
        var check = await ExternalCommand.RunAsync(_options.CriuPath, ["check"], _options.CommandTimeout, cancellationToken: cancellationToken);
        return check.ExitCode == 0
            ? new EngineProbe(true, name, null)
            : new EngineProbe(false, name, $"`criu check` failed: {check.Explanation()}");
    }

    public async Task<JobHandle> LaunchAsync(JobLaunchRequest request, CancellationToken cancellationToken = default)
    {
        RequireShim();
        if (!Directory.Exists(request.WorkingDirectory))
            throw new CheckpointEngineException($"working directory {request.WorkingDirectory} does not exist");
        Directory.CreateDirectory(request.StateDirectory);
        ClearRunFiles(request.StateDirectory);
        List<string> args = ["launch", "--state-dir", request.StateDirectory, "--cwd", request.WorkingDirectory];
        if (request.MemoryLimitBytes is { } limit)
            args.AddRange(["--cgroup", _memory.Create(request.JobId, limit)]);
        args.AddRange(["--", request.Executable, .. request.Args]);
        var result = await RunShimAsync(request.NetworkNamespace, args, request.Environment, cancellationToken);
        if (result.ExitCode != 0)
            throw new CheckpointEngineException($"cannot launch {request.Executable}: {result.Explanation()}");
        return await ReadRunningJobAsync(request.JobId, request.StateDirectory, "launch", cancellationToken);
    }

    public async Task<CheckpointTimings> CheckpointAsync(JobHandle job, string imagesDirectory, bool leaveRunning, CancellationToken cancellationToken = default)
    {
        RequireShim();
        if (!IsRunning(job))
            throw new CheckpointEngineException($"job {job.JobId} is not running (PID {job.Pid} is gone)");
        Directory.CreateDirectory(imagesDirectory);
        List<string> args = ["dump", "--state-dir", job.StateDirectory, "--images", imagesDirectory, "--criu", _options.CriuPath];
        if (leaveRunning)
            args.Add("--leave-running");
        var result = await RunCriuThroughShimAsync(JobNetworkNamespace(job), args, cancellationToken);
        if (result.ExitCode != 0)
            throw new CheckpointEngineException($"checkpoint of job {job.JobId} failed: {result.Explanation()}");
        var timings = DumpTimings().Match(result.StandardOutput);
        if (!timings.Success)
        {
            logger.LogWarning("caas-shim dump of {JobId} printed no timings: {Output}", job.JobId, result.StandardOutput);
            return new CheckpointTimings(TimeSpan.Zero, TimeSpan.Zero);
        }
        return new CheckpointTimings(
            TimeSpan.FromMilliseconds(double.Parse(timings.Groups[1].Value, CultureInfo.InvariantCulture)),
            TimeSpan.FromMilliseconds(double.Parse(timings.Groups[2].Value, CultureInfo.InvariantCulture)));
    }

    public async Task<JobHandle> RestoreAsync(string jobId, string stateDirectory, string imagesDirectory, CancellationToken cancellationToken = default, string? networkNamespace = null,
        Task? pagesVerified = null)
    {
        RequireShim();
        Directory.CreateDirectory(stateDirectory);
        ClearRunFiles(stateDirectory);
        File.Delete(Path.Combine(stateDirectory, PageVerdictFile));
        List<string> args = ["restore", "--state-dir", stateDirectory, "--images", imagesDirectory, "--criu", _options.CriuPath];
        if (pagesVerified is not null)
        {
            // A token per restore: a verdict left in the state directory by an earlier one can never pass this one's gate.
            var token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            args.AddRange(["--page-gate", token, "--gate-timeout-ms", ((long)_options.CommandTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                "--gate-owner", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)]);
            _ = GiveVerdictAsync(pagesVerified, stateDirectory, token);
        }
        var result = await RunCriuThroughShimAsync(networkNamespace, args, cancellationToken);
        if (result.ExitCode != 0)
            throw new CheckpointEngineException($"restore of job {jobId} failed: {result.Explanation()}{PtyIndexHint(result)}");
        return await ReadRunningJobAsync(jobId, stateDirectory, "restore", cancellationToken);
    }

    /// <summary>Tells the shim's page gate (native/shim/page_gate.h) whether the restored tasks may run: only when the verification succeeded.</summary>
    private async Task GiveVerdictAsync(Task pagesVerified, string stateDirectory, string token)
    {
        string verdict;
        try
        {
            await pagesVerified;
            verdict = $"verified {token}";
        }
        catch (Exception e)
        {
            verdict = $"refused {token} {e.Message.ReplaceLineEndings(" ")}";
        }
        try
        {
            var temporary = Path.Combine(stateDirectory, PageVerdictFile + ".tmp");
            await File.WriteAllTextAsync(temporary, verdict + "\n");
            File.Move(temporary, Path.Combine(stateDirectory, PageVerdictFile), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The gate then waits in vain and refuses at its timeout: no verdict is never a pass.
            logger.LogError("could not give the page gate in {StateDirectory} its verdict ({Verdict}): {Problem}", stateDirectory, verdict, e.Message);
        }
    }

    public bool Kill(JobHandle job)
    {
        // Checked right before the signal: the job root is PID 1 of its namespace, so SIGKILL ends the whole tree.
        if (!IsRunning(job))
            return false;
        return Libc.Kill(job.Pid, Libc.SigKill);
    }

    public bool IsRunning(JobHandle job) =>
        job.StartTicks != EndedStartTicks && ProcStat.Read(job.Pid) is { } stat && stat.StartTicks == job.StartTicks && stat.State is not ('Z' or 'X');

    public bool WasOutOfMemory(string jobId) => _memory.WasOutOfMemory(jobId);

    public void ReleaseLimits(string jobId) => _memory.Remove(jobId);

    public JobExitStatus? ReadExit(string stateDirectory)
    {
        try
        {
            return JobExitStatus.Parse(File.ReadAllText(Path.Combine(stateDirectory, ExitFile)));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private async Task<JobHandle> ReadRunningJobAsync(string jobId, string stateDirectory, string what, CancellationToken cancellationToken)
    {
        var pidPath = Path.Combine(stateDirectory, PidFile);
        if (!File.Exists(pidPath) || !int.TryParse(File.ReadAllText(pidPath).Trim(), CultureInfo.InvariantCulture, out var pid) || pid <= 0)
            throw new CheckpointEngineException($"caas-shim {what} of job {jobId} reported success but wrote no valid {pidPath}");
        if (ProcStat.Read(pid) is { } stat)
            return new JobHandle(jobId, stateDirectory, pid, stat.StartTicks);
        // A job may legitimately end at once; then its exit status follows as soon as the shim has reaped it.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        JobExitStatus? exit;
        while ((exit = ReadExit(stateDirectory)) is null && waited.Elapsed < ExitStatusGrace)
            await Task.Delay(20, cancellationToken);
        return exit switch
        {
            null => throw new CheckpointEngineException($"job {jobId} vanished right after its {what} (PID {pid} is gone and left no exit status)"),
            { Error: { } error } => throw new CheckpointEngineException($"job {jobId} failed right after its {what}: {error}"),
            _ => new JobHandle(jobId, stateDirectory, pid, EndedStartTicks),
        };
    }

    /// <summary>
    /// Runs the shim, inside <paramref name="networkNamespace"/> when there is one: CRIU must run in the job's network
    /// namespace, which it then treats as the outside world and does not dump. Only the network namespace is entered
    /// (`ip netns exec` would also make a mount namespace, and dumps then fail on unreachable mounts).
    /// </summary>
    private Task<CommandResult> RunShimAsync(string? networkNamespace, List<string> args,
        IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken) =>
        networkNamespace is null
            ? ExternalCommand.RunAsync(_options.ShimPath, args, _options.CommandTimeout, environment, cancellationToken)
            : ExternalCommand.RunAsync("nsenter", [$"--net={networkNamespace}", _options.ShimPath, .. args], _options.CommandTimeout, environment, cancellationToken);

    private async Task<CommandResult> RunCriuThroughShimAsync(string? networkNamespace, List<string> args, CancellationToken cancellationToken)
    {
        using var exclusive = await _criu.AcquireAsync(cancellationToken);
        return await RunShimAsync(networkNamespace, args, null, cancellationToken);
    }

    /// <summary>The job's network namespace when it is not the engine's own (a rank's), else null.</summary>
    private static string? JobNetworkNamespace(JobHandle job)
    {
        var jobs = $"/proc/{job.Pid}/ns/net";
        try
        {
            var own = File.ResolveLinkTarget("/proc/self/ns/net", returnFinalTarget: false)?.ToString();
            var theirs = File.ResolveLinkTarget(jobs, returnFinalTarget: false)?.ToString();
            return theirs is null || theirs == own ? null : jobs;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>A previous run's pid and exit files would be mistaken for the new run's.</summary>
    private static void ClearRunFiles(string stateDirectory)
    {
        File.Delete(Path.Combine(stateDirectory, PidFile));
        File.Delete(Path.Combine(stateDirectory, ExitFile));
    }

    private string? ShimProblem() =>
        string.IsNullOrEmpty(_options.ShimPath) ? "no caas-shim configured (set Caas:Agent:Capture:ShimPath or CAAS_SHIM)"
        : !File.Exists(_options.ShimPath) ? $"caas-shim not found at {_options.ShimPath} (build native/ first)"
        : null;

    private void RequireShim()
    {
        if (ShimProblem() is { } problem)
            throw new CheckpointEngineException(problem);
    }

    /// <summary>CRIU's own words for it only name the device; say what the operator can do about it.</summary>
    internal static string PtyIndexHint(CommandResult result) =>
        PtyIndexTaken().Match(result.StandardError + result.StandardOutput) is { Success: true } taken
            ? $" (the job holds pseudo-terminal {taken.Groups[1].Value}, which another process on this node holds now: restore it on another node, or once that terminal is closed)"
            : "";

    [GeneratedRegex(@"Unable to open \S*ptmx with specified index (\d+)")]
    private static partial Regex PtyIndexTaken();

    [GeneratedRegex(@"Version:\s*([0-9][0-9.]*)")]
    private static partial Regex CriuVersion();

    [GeneratedRegex(@"pause_ms=([0-9.]+)\s+dump_ms=([0-9.]+)")]
    private static partial Regex DumpTimings();
}
