using System.Text;

namespace Caas.Capture.Engine.Progress;

/// <summary>
/// A job's CAAS_PROGRESS_FILE: lines "FRACTION [MESSAGE]" appended by the job. Only the last
/// complete line counts, and only lines written after <see cref="Baseline"/> (so that a restored
/// job is not credited with what its killed predecessor wrote).
/// </summary>
internal sealed class ProgressFileWatch(string path)
{
    private const int TailBytes = 4096;
    private long _seenLength = -1;
    private DateTime _seenWrite;

    public string Path { get; } = path;
    public long Baseline { get; private set; }

    public void MoveBaselineToEnd()
    {
        Baseline = CurrentLength();
        _seenLength = -1;
    }

    /// <returns>The new last line's report when the file changed since the last look; null otherwise. Malformed is set when the new last line is not a report.</returns>
    public (double Fraction, string? Message)? ReadIfChanged(out bool malformed)
    {
        malformed = false;
        var info = new FileInfo(Path);
        if (!info.Exists)
            return null;
        if (info.Length == _seenLength && info.LastWriteTimeUtc == _seenWrite)
            return null;
        _seenLength = info.Length;
        _seenWrite = info.LastWriteTimeUtc;
        if (LastCompleteLine() is not { Length: > 0 } line)
            return null;
        var space = line.IndexOf(' ');
        var fraction = ProgressReport.ParseFraction(space < 0 ? line : line[..space]);
        var message = space < 0 ? null : line[(space + 1)..].Trim();
        if (fraction is null || message is { Length: > ProgressReport.MaxMessageLength })
        {
            malformed = true;
            return null;
        }
        return (fraction.Value, string.IsNullOrEmpty(message) ? null : message);
    }

    private string? LastCompleteLine()
    {
        try
        {
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var start = Math.Max(Baseline, stream.Length - TailBytes);
            if (start >= stream.Length)
                return null;
            stream.Position = start;
            var buffer = new byte[stream.Length - start];
            stream.ReadExactly(buffer);
            var text = Encoding.UTF8.GetString(buffer);
            var end = text.LastIndexOf('\n');
            if (end < 0)
                return null;
            var begin = text.LastIndexOf('\n', Math.Max(end - 1, 0)) is var previous && previous >= 0 && previous < end ? previous + 1 : 0;
            // A line cut by the tail window has no start we can trust.
            if (begin == 0 && start > Baseline)
                return null;
            return text[begin..end].TrimEnd('\r');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private long CurrentLength()
    {
        try
        {
            return new FileInfo(Path) is { Exists: true } info ? info.Length : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
