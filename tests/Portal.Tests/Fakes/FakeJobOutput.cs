using System.Text;

namespace Caas.Portal.Tests.Fakes;

/// <summary>
/// A hand-written stand-in for the agents' captured output: each job's stdout and stderr as text, the node that holds
/// it, and whether the job still runs. Reads follow the contract (from an offset to the end, or the last lines) and
/// are recorded, so a test can see what the portal or the CLI asked for.
/// </summary>
public sealed class FakeJobOutput : IJobOutput
{
    private readonly Lock gate = new();
    private readonly Dictionary<(string, JobOutputStream), StringBuilder> files = [];

    public Dictionary<string, string> Nodes { get; } = [];
    public HashSet<string> Stopped { get; } = [];
    public List<(string JobId, JobOutputQuery Query)> Reads { get; } = [];
    /// <summary>When set, every read throws it (e.g. the node did not answer).</summary>
    public Exception? Failure { get; set; }
    /// <summary>Called after each read, to let the job write more or stop while a follower reads.</summary>
    public Action<int>? AfterRead { get; set; }

    public void Write(string jobId, string text, JobOutputStream stream = JobOutputStream.Stdout, string node = "node-a")
    {
        lock (gate)
        {
            Nodes[jobId] = node;
            if (!files.TryGetValue((jobId, stream), out var file))
                files[(jobId, stream)] = file = new StringBuilder();
            file.Append(text);
        }
    }

    public Task<JobOutput> ReadAsync(string jobId, JobOutputQuery query, CancellationToken cancellationToken = default)
    {
        JobOutput answer;
        int reads;
        lock (gate)
        {
            query.Validate();
            Reads.Add((jobId, query));
            reads = Reads.Count;
            if (Failure is { } failure)
                throw failure;
            var running = !Stopped.Contains(jobId);
            if (!Nodes.TryGetValue(jobId, out var node))
                return Task.FromResult(new JobOutput { JobId = jobId, Stream = query.Stream, Running = running, Note = "The job has not run on a node yet, so it has no output." });
            var bytes = Encoding.UTF8.GetBytes(files.GetValueOrDefault((jobId, query.Stream))?.ToString() ?? "");
            var start = query.From is { } from ? (int)Math.Min(from, bytes.Length) : TailStart(bytes, query.TailLines);
            var end = query.From is null ? bytes.Length : Math.Min(bytes.Length, start + query.MaxBytes);
            answer = new JobOutput
            {
                JobId = jobId, NodeId = node, Stream = query.Stream, Start = start, End = end, Length = bytes.Length, Running = running,
                Text = Encoding.UTF8.GetString(bytes, start, end - start),
            };
        }
        AfterRead?.Invoke(reads);
        return Task.FromResult(answer);
    }

    private static int TailStart(byte[] bytes, int lines)
    {
        var seen = 0;
        for (var i = bytes.Length - 2; i >= 0; i--)
            if (bytes[i] == (byte)'\n' && ++seen == lines)
                return i + 1;
        return 0;
    }
}
