using System.Globalization;

namespace Caas.Capture.Engine.Limits;

/// <summary>
/// One cgroup v1 memory cgroup per job that has a memory limit, under <see cref="CaptureOptions.MemoryCgroupRoot"/>.
/// The job joins it before it runs (caas-shim --cgroup), so the limit holds for its whole tree, and the cgroup's own
/// OOM-kill count tells afterwards whether a SIGKILL came from the kernel's OOM killer, which a signal number alone
/// cannot. Swap is limited with memory where the kernel accounts it, so a limit means the job cannot swap around it.
/// </summary>
public sealed class MemoryCgroups(string root)
{
    /// <returns>The directory of the job's cgroup, limited to <paramref name="limitBytes"/>.</returns>
    /// <exception cref="CheckpointEngineException">The node has no usable memory cgroup hierarchy (not root, or cgroup v2 only).</exception>
    public string Create(string jobId, long limitBytes)
    {
        var path = PathOf(jobId);
        try
        {
            Directory.CreateDirectory(path);
            var limit = limitBytes.ToString(CultureInfo.InvariantCulture);
            File.WriteAllText(Path.Join(path, "memory.limit_in_bytes"), limit);
            var swapLimit = Path.Join(path, "memory.memsw.limit_in_bytes");
            if (File.Exists(swapLimit))
                File.WriteAllText(swapLimit, limit);
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointEngineException($"cannot set a memory limit for job {jobId}: the memory cgroup {path} is not usable ({e.Message}); memory limits need root and a cgroup v1 memory hierarchy");
        }
    }

    /// <summary>Whether the kernel's OOM killer killed a process of the job's cgroup; false when the job has none.</summary>
    public bool WasOutOfMemory(string jobId)
    {
        var control = Path.Join(PathOf(jobId), "memory.oom_control");
        try
        {
            return File.Exists(control) && File.ReadLines(control)
                .Select(line => line.Split(' '))
                .Any(parts => parts is ["oom_kill", var count] && long.TryParse(count, CultureInfo.InvariantCulture, out var kills) && kills > 0);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Removes the job's cgroup once its processes are gone; a cgroup still in use stays.</summary>
    public void Remove(string jobId)
    {
        try
        {
            if (Directory.Exists(PathOf(jobId)))
                Directory.Delete(PathOf(jobId));
        }
        catch (IOException)
        {
            // Busy (a process is still in it): the next removal after its exit takes it.
        }
    }

    private string PathOf(string jobId) => Path.Join(root, jobId);
}
