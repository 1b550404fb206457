namespace Caas.Capture.Engine;

/// <summary>
/// One CRIU dump or restore at a time on this host, across every engine and agent process on it (an advisory
/// <c>flock</c> on one file, which .NET takes for <see cref="FileShare.None"/>). Two reasons, both seen in tests that
/// run several agents on one host:
/// <list type="bullet">
/// <item>A restore of a job holding a pseudo-terminal must get back its old pty index. CRIU finds it by opening
/// /dev/ptmx until the kernel hands out that index, closing the others after; its lock around that loop is private to
/// one restore, so a second restore on the same devpts can hold the wanted index at that moment ("Unable to open
/// dev/ptmx with specified index 0").</item>
/// <item>Concurrent dumps of tasks sharing a working directory (ranks of one distributed job) fail in CRIU's
/// parasite, which makes a directory there to mount its own /proc and gets EEXIST from the other dump.</item>
/// </list>
/// </summary>
internal sealed class HostCriuLock(string path)
{
    /// <summary>errno EWOULDBLOCK, which .NET gives as the HResult when another descriptor holds the lock.</summary>
    private const int WouldBlock = 11;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    public string Path { get; } = path;

    /// <summary>Waits until no other CRIU run on this host holds the lock; disposing the result releases it.</summary>
    public async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } directory)
            Directory.CreateDirectory(directory);
        while (true)
        {
            try
            {
                return new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
            }
            catch (IOException e) when (e.HResult == WouldBlock)
            {
                await Task.Delay(Poll, cancellationToken);
            }
        }
    }
}
