using Caas.Contracts.Jobs;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Proc;
using Caas.Capture.Engine.Progress;
using Microsoft.Extensions.Logging;

namespace Caas.Capture.Agent.Jobs;

/// <summary>
/// "Verify now": proves a checkpoint restores by bringing a throw-away copy of the job back to life next to the real one.
/// The bundle passes every check a real restore makes; the copy gets its own PID namespace (every restore does) and its
/// own state directory, its progress reports are told apart from the running job's by their sender, and it is killed at
/// its first sign of life. The running job is not touched.
/// </summary>
public sealed class CheckpointTestRestore(
    NodeJobs jobs,
    ICheckpointEngine engine,
    ProgressChannel progress,
    AgentPaths paths,
    ILogger<CheckpointTestRestore> logger)
{
    /// <summary>How long the copy may take to report or visibly run before the checkpoint counts as not restoring.</summary>
    public static readonly TimeSpan SignOfLifeTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan CopyExitWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <returns>Null when the copy came to life, else why the checkpoint is not verified.</returns>
    public async Task<string?> VerifyAsync(string jobId, int sequence, CancellationToken cancellationToken)
    {
        // Checked before the id names any directory: the work directory is deleted afterwards.
        if (!JobIds.IsValid(jobId))
            return $"'{jobId}' is not a job id (expected \"job-\" and 10 lower-case hex digits)";
        if (sequence < 1)
            return $"checkpoint sequence must be at least 1, not {sequence}";
        string? problem;
        try
        {
            if (jobs.RunningHandle(jobId) is { } running && TestRestoreSafety.ProblemWithRunningJob(running.Pid) is { } unsafeJob)
                problem = NotTestRestored(jobId, sequence, unsafeJob);
            else
                problem = await jobs.WithVerifiedCopyAsync(jobId, sequence, Path.Combine(WorkDirectory(jobId, sequence), "bundle"),
                    images => TestRestoreAsync(jobId, sequence, images, cancellationToken), cancellationToken);
        }
        catch (AgentRejectionException e)
        {
            problem = e.Message;
        }
        finally
        {
            TryDelete(WorkDirectory(jobId, sequence));
        }
        if (problem is null)
            LastVerifiedCheckpoint.Record(paths, jobId, sequence);
        else
            LastVerifiedCheckpoint.Forget(paths, jobId, sequence);
        return problem;
    }

    private static string NotTestRestored(string jobId, int sequence, string why) =>
        $"checkpoint {sequence} of job {jobId} was not test-restored: {why}";

    private string WorkDirectory(string jobId, int sequence) => Path.Combine(paths.DataDirectory, "verify", $"{jobId}-{sequence}");

    private async Task<string?> TestRestoreAsync(string jobId, int sequence, string imagesDirectory, CancellationToken cancellationToken)
    {
        if (TestRestoreSafety.ProblemWithImages(imagesDirectory) is { } unsafeImage)
            return NotTestRestored(jobId, sequence, unsafeImage);
        var stateDirectory = Path.Combine(WorkDirectory(jobId, sequence), "state");
        Directory.CreateDirectory(stateDirectory);

        var firstReport = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var copyRoot = 0;
        var running = jobs.RunningHandle(jobId);
        // Until the copy's PID is known (it runs the moment CRIU lets go), any live sender outside the running job is the copy.
        bool SentByCopy(int pid) => Volatile.Read(ref copyRoot) is var root and > 0
            ? ProcessAncestry.Descends(pid, root)
            : ProcStat.Read(pid) is not null && (running is null || !ProcessAncestry.Descends(pid, running.Pid));
        using var diversion = progress.Divert(jobId, SentByCopy, _ => firstReport.TrySetResult());

        JobHandle copy;
        try
        {
            copy = await engine.RestoreAsync(jobId, stateDirectory, imagesDirectory, cancellationToken);
        }
        catch (CheckpointEngineException e)
        {
            return $"the test restore of checkpoint {sequence} of job {jobId} failed: {e.Message}";
        }
        Volatile.Write(ref copyRoot, copy.Pid);
        try
        {
            var problem = await SignOfLifeAsync(copy, firstReport.Task, cancellationToken);
            if (problem is null)
                logger.LogInformation("checkpoint {Sequence} of job {JobId} verified: its test copy (PID {Pid}) came to life", sequence, jobId, copy.Pid);
            return problem is null ? null : $"the test copy of checkpoint {sequence} of job {jobId} {problem}";
        }
        finally
        {
            await EndCopyAsync(copy, stateDirectory);
        }
    }

    /// <summary>
    /// The copy's first progress or heartbeat report; for a job that never reports, it running on its own (CPU time or
    /// context switches growing after the restore).
    /// </summary>
    /// <returns>Null when it lives, else what it did instead.</returns>
    private async Task<string?> SignOfLifeAsync(JobHandle copy, Task firstReport, CancellationToken cancellationToken)
    {
        var restored = Activity(copy.Pid);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < SignOfLifeTimeout)
        {
            if (firstReport.IsCompleted)
                return null;
            if (!engine.IsRunning(copy))
            {
                var exit = engine.ReadExit(copy.StateDirectory);
                return exit is null ? "vanished before it showed any sign of life" : $"ended before it showed any sign of life ({Describe(exit)})";
            }
            if (restored is { } before && Activity(copy.Pid) is { } now && now > before && waited.Elapsed > 10 * Poll)
                return null;
            await Task.Delay(Poll, cancellationToken);
        }
        return $"showed no sign of life within {SignOfLifeTimeout.TotalSeconds:0} s";
    }

    private static string Describe(JobExitStatus exit) =>
        exit.Error ?? (exit.Signal is { } signal ? $"killed by signal {signal}" : $"exit code {exit.ExitCode}");

    /// <summary>CPU ticks plus context switches of the copy's root: both only grow while it runs its own code.</summary>
    private static long? Activity(int pid)
    {
        if (ProcStat.Read(pid) is not { } stat)
            return null;
        long switches = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    switches += long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
        return (long)(stat.UserTicks + stat.SystemTicks) + switches;
    }

    /// <summary>Kills the copy and waits until its supervisor has recorded the end, so nothing writes into a deleted directory.</summary>
    private async Task EndCopyAsync(JobHandle copy, string stateDirectory)
    {
        engine.Kill(copy);
        // Waits on the kernel, not on domain time, so it uses the real clock.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((engine.IsRunning(copy) || engine.ReadExit(stateDirectory) is null) && waited.Elapsed < CopyExitWait)
            await Task.Delay(Poll);
        if (engine.IsRunning(copy))
            logger.LogError("the test copy of job {JobId} (PID {Pid}) did not end after SIGKILL", copy.JobId, copy.Pid);
    }

    private void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("could not delete {Directory}: {Problem}", directory, e.Message);
        }
    }
}
