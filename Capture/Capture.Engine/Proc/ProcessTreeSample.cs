namespace Caas.Capture.Engine.Proc;

/// <summary>One look at a job's process tree. Read/write bytes are rchar/wchar: all I/O through syscalls, pipes and page cache included, so that progress can be inferred from any I/O.</summary>
public sealed record ProcessTreeSample(int RootPid, char State, double CpuSeconds, long RssBytes, long ReadBytes, long WriteBytes, int Threads, int Processes);
