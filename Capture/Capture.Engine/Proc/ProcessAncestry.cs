namespace Caas.Capture.Engine.Proc;

/// <summary>Which process descends from which, from the parent PIDs in /proc.</summary>
public static class ProcessAncestry
{
    /// <summary>Deep enough for any job's tree, bounded so a racy /proc read cannot make it spin.</summary>
    private const int MaxDepth = 64;

    /// <summary>True when <paramref name="pid"/> is <paramref name="rootPid"/> or one of its descendants (false once it is gone).</summary>
    public static bool Descends(int pid, int rootPid)
    {
        for (var depth = 0; depth < MaxDepth && pid > 1; depth++)
        {
            if (pid == rootPid)
                return true;
            pid = ProcStat.Read(pid)?.ParentPid ?? 0;
        }
        return false;
    }
}
