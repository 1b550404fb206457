using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using System.Text;

namespace Caas.Capture.Agent.Jobs;

/// <summary>
/// Reads a job's captured output (stdout.log, stderr.log in its state directory, which the shim appends to while the
/// job runs): a window from a byte offset, or the last lines. Answers whole lines and whole UTF-8 characters, so a
/// follower asking again from the answer's End never sees a line or a character split in two.
/// </summary>
public static class JobOutputFiles
{
    public static string FileName(JobOutputStream stream) => stream == JobOutputStream.Stderr ? "stderr.log" : "stdout.log";

    public static JobOutputRead Read(string nodeId, string jobId, JobOutputStream stream, string stateDirectory, long? from, int tailLines, int maxBytes)
    {
        var path = Path.Combine(stateDirectory, FileName(stream));
        FileStream file;
        try
        {
            // The shim keeps appending while we read: share the file, and read only up to the length seen at open.
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new JobOutputRead(nodeId, jobId, stream, false, 0, 0, 0, "");
        }
        using (file)
        {
            var length = file.Length;
            return from is { } offset
                ? Forward(nodeId, jobId, stream, file, length, Math.Min(offset, length), maxBytes)
                : Tail(nodeId, jobId, stream, file, length, tailLines, maxBytes);
        }
    }

    private static JobOutputRead Forward(string nodeId, string jobId, JobOutputStream stream, FileStream file, long length, long start, int maxBytes)
    {
        var bytes = ReadAt(file, start, (int)Math.Min(maxBytes, length - start));
        var count = bytes.Length;
        // Cut short by maxBytes: stop after the last whole line, or at least at a whole character.
        if (start + count < length)
        {
            var newline = Array.LastIndexOf(bytes, (byte)'\n');
            count = newline >= 0 ? newline + 1 : CharacterBoundary(bytes, count);
        }
        return new JobOutputRead(nodeId, jobId, stream, true, start, start + count, length, Encoding.UTF8.GetString(bytes, 0, count));
    }

    private static JobOutputRead Tail(string nodeId, string jobId, JobOutputStream stream, FileStream file, long length, int tailLines, int maxBytes)
    {
        var windowStart = Math.Max(0, length - maxBytes);
        var bytes = ReadAt(file, windowStart, (int)(length - windowStart));
        // Walk back over tailLines line ends (the file's own last newline ends the last line, it does not start one).
        var begin = 0;
        var seen = 0;
        for (var i = bytes.Length - 2; i >= 0; i--)
            if (bytes[i] == (byte)'\n' && ++seen == tailLines)
            {
                begin = i + 1;
                break;
            }
        // Fewer lines than asked in a window that starts mid-file: its first line is partial, leave it out.
        if (seen < tailLines && windowStart > 0)
        {
            var first = Array.IndexOf(bytes, (byte)'\n');
            begin = first >= 0 && first < bytes.Length - 1 ? first + 1 : LeadingContinuations(bytes);
        }
        return new JobOutputRead(nodeId, jobId, stream, true, windowStart + begin, length, length, Encoding.UTF8.GetString(bytes, begin, bytes.Length - begin));
    }

    private static byte[] ReadAt(FileStream file, long start, int count)
    {
        var buffer = new byte[Math.Max(0, count)];
        file.Position = start;
        var read = 0;
        while (read < buffer.Length)
        {
            var n = file.Read(buffer, read, buffer.Length - read);
            if (n == 0)
                break;
            read += n;
        }
        return read == buffer.Length ? buffer : buffer[..read];
    }

    /// <summary>
    /// The largest count ≤ <paramref name="count"/> that does not end inside a UTF-8 character; all of
    /// <paramref name="count"/> when that would leave nothing (a window narrower than one character must still move on).
    /// </summary>
    private static int CharacterBoundary(byte[] bytes, int count)
    {
        var lead = count - 1;
        while (lead >= 0 && count - lead <= 3 && (bytes[lead] & 0xC0) == 0x80)
            lead--;
        if (lead <= 0)
            return count;
        var first = bytes[lead];
        var width = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1;
        return count - lead >= width ? count : lead;
    }

    private static int LeadingContinuations(byte[] bytes)
    {
        var i = 0;
        while (i < bytes.Length && i < 3 && (bytes[i] & 0xC0) == 0x80)
            i++;
        return i;
    }
}
