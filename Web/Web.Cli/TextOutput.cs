using System.Globalization;
using Caas.Contracts.Alerts;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.Web.Cli;

/// <summary>How caas-cli prints answers for people (the --json flag prints the API's JSON instead).</summary>
public static class TextOutput
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Jobs(TextWriter output, Page<JobSummary> page, DateTimeOffset now)
    {
        if (page.Total == 0)
        {
            output.WriteLine("No jobs.");
            return;
        }
        var rows = page.Items.Select(j => new[]
        {
            j.JobId, j.Name, State(j.Status, j.Suspended, j.SwappedOut) + (j.SwappedOutFor is { } taker ? $" (for {taker})" : "") + (j.Stalled ? " (stalled)" : ""), Percent(j.Progress),
            j.NodeId ?? "-", Ago(j.LastHeartbeatAt, now), j.Checkpoints.ToString(Invariant),
        });
        Table(output, ["ID", "NAME", "STATUS", "PROGRESS", "NODE", "HEARTBEAT", "CHECKPOINTS"], rows);
        output.WriteLine($"{page.Skip + 1}-{page.Skip + page.Items.Count} of {page.Total}");
    }

    public static void Job(TextWriter output, JobView job, DateTimeOffset now)
    {
        output.WriteLine($"{job.Name} ({job.JobId})");
        output.WriteLine($"  status      {State(job.Status, job.Suspended, job.SwappedOut)}{(job.Stalled ? ", stalled" : "")}{(job.StatusReason is { Length: > 0 } r ? ": " + r : "")}");
        output.WriteLine($"  progress    {Percent(job.Progress)}{(job.ProgressMessage is { Length: > 0 } m ? "  " + m : "")}");
        output.WriteLine($"  command     {string.Join(' ', new[] { job.Spec.Command }.Concat(job.Spec.Args))}");
        output.WriteLine($"  node        {job.NodeId ?? "-"}   pid {job.Pid?.ToString(Invariant) ?? "-"}");
        output.WriteLine($"  cpu         {job.CpuSeconds.ToString("0.##", Invariant)} s   memory {Bytes(job.RssBytes)}");
        output.WriteLine($"  heartbeat   {Ago(job.LastHeartbeatAt, now)}   progress reported {Ago(job.LastProgressAt, now)}");
        if (job.ExitCode is { } code)
            output.WriteLine($"  exit code   {code}");
        if (job.ExitSignal is { } signal)
            output.WriteLine($"  signal      {signal}");
        if (job.Policy is { } policy)
            output.WriteLine($"  policy      from {policy.Source} (caas policies show {job.JobId})");
        if (job.CheckpointInterval is { } interval)
            output.WriteLine($"  periodic    {interval.Explanation}{(interval.NextDueAt is { } due ? $"; next at {due.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Invariant)}" : "")}");
        if (job.Checkpoints.Count == 0)
        {
            output.WriteLine("  no checkpoints");
            return;
        }
        output.WriteLine();
        Table(output, ["SEQ", "TAKEN", "NODE", "PROGRESS", "SIZE", "DURATION", "PAUSE"],
            job.Checkpoints.OrderByDescending(c => c.Sequence).Select(c => new[]
            {
                c.Sequence.ToString(Invariant), c.TakenAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Invariant), c.NodeId, Percent(c.Progress),
                Bytes(c.SizeBytes), c.Duration.TotalSeconds.ToString("0.###", Invariant) + " s", c.AppPause.TotalSeconds.ToString("0.###", Invariant) + " s",
            }));
    }

    public static void Checkpoints(TextWriter output, Page<CheckpointCatalogEntry> page)
    {
        if (page.Total == 0)
        {
            output.WriteLine("No checkpoints.");
            return;
        }
        Table(output, ["JOB", "SEQ", "PARENT", "TAKEN", "NODE", "PROGRESS", "SIZE", "DURATION", "PAUSE", "DUMP", "MOVED", "RESTORE", "VERIFICATION", "STATE"],
            page.Items.Select(e => new[]
            {
                e.JobId, e.Sequence.ToString(Invariant), e.Checkpoint.ParentSequence?.ToString(Invariant) ?? "-",
                e.Checkpoint.TakenAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Invariant), e.Checkpoint.NodeId, Percent(e.Checkpoint.Progress),
                Bytes(e.Checkpoint.SizeBytes), e.Checkpoint.Duration.TotalSeconds.ToString("0.###", Invariant) + " s",
                e.Checkpoint.AppPause.TotalSeconds.ToString("0.###", Invariant) + " s",
                e.Checkpoint.Dump.TotalSeconds.ToString("0.###", Invariant) + " s", Bytes(e.BytesMoved),
                e.RestoreDuration is { } restore ? restore.TotalSeconds.ToString("0.###", Invariant) + " s" : "-",
                e.Verification switch
                {
                    CheckpointVerification.Verified => $"verified {Time(e.VerifiedAt)}",
                    CheckpointVerification.Failed => $"failed: {e.VerificationProblem}",
                    CheckpointVerification.Verifying => "verifying",
                    _ => "unverified",
                },
                e.Removal switch
                {
                    CheckpointRemoval.Operator => "deleted",
                    CheckpointRemoval.Retention => "pruned",
                    _ => "kept",
                },
            }));
        output.WriteLine($"{page.Skip + 1}-{page.Skip + page.Items.Count} of {page.Total}");
    }

    public static void Events(TextWriter output, Page<TimelineEntry> page)
    {
        foreach (var e in page.Items)
            output.WriteLine($"{e.Version,6}  {e.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Invariant)}  {e.Type,-20}  {e.Summary}");
        output.WriteLine(page.Total == 0 ? "No events." : $"{page.Skip + 1}-{page.Skip + page.Items.Count} of {page.Total} events, newest first");
    }

    public static void Nodes(TextWriter output, IReadOnlyList<NodeStatus> nodes, DateTimeOffset now)
    {
        if (nodes.Count == 0)
        {
            output.WriteLine("No node agents have reported.");
            return;
        }
        Table(output, ["NODE", "POOL", "SLOTS", "RUNNING", "ENGINE", "HEARTBEAT", "STATE"], nodes.Select(n => new[]
        {
            n.NodeId, n.Pool, n.JobSlots.ToString(Invariant), n.RunningJobs.ToString(Invariant),
            n.Engine ?? "unusable: " + (n.EngineProblem ?? "no reason given"), Ago(n.LastHeartbeatAt, now),
            n.Health.ToString().ToLowerInvariant() + (n.Drained ? ", drained" : ""),
        }));
    }

    public static void Alerts(TextWriter output, IReadOnlyList<AlertView> alerts, DateTimeOffset now)
    {
        if (alerts.Count == 0)
        {
            output.WriteLine("No open alerts.");
            return;
        }
        Table(output, ["ID", "JOB", "NAME", "KIND", "RAISED", "STATE", "MESSAGE"], alerts.Select(a => new[]
        {
            a.Id, a.JobId, a.JobName, a.Kind.ToString(), Ago(a.RaisedAt, now),
            a.State.ToString().ToLowerInvariant() + (a.SilencedBy.Count > 0 ? " (silenced)" : ""), a.Message,
        }));
    }

    public static void Silences(TextWriter output, IReadOnlyList<SilenceView> silences)
    {
        if (silences.Count == 0)
        {
            output.WriteLine("No active silences.");
            return;
        }
        Table(output, ["ID", "ENDS", "BY", "MATCHES", "REASON"], silences.Select(s => new[]
        {
            s.Id, s.EndsAt.ToString("u", Invariant), s.CreatedBy,
            string.Join(" ", new[] { s.Matchers.Kind?.ToString(), s.Matchers.JobId, s.Matchers.Node, s.Matchers.Pool, s.Matchers.NameGlob }.Where(m => m is not null)),
            s.Reason,
        }));
    }

    public static void Projections(TextWriter output, IReadOnlyList<ProjectionView> projections)
    {
        Table(output, ["PROJECTION", "POSITION", "HEAD", "LAG", "AGE", "SAVED", "STATE"], projections.Select(p => new[]
        {
            p.Name, p.Position.ToString(Invariant), p.HeadPosition.ToString(Invariant), p.Lag.ToString(Invariant),
            p.Age.TotalSeconds.ToString("0.###", Invariant) + " s", p.SavedAt is null ? "never" : $"{p.SavedPosition.ToString(Invariant)} at {p.SavedAt.Value.ToString("u", Invariant)}",
            p.Rebuilding ? $"rebuilding to {p.RebuildTarget.ToString(Invariant)}" : p.Lag == 0 ? "caught up" : "catching up",
        }));
    }

    private static void Table(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
            output.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
    }

    /// <summary>A suspended job is Stopped to the platform; people asked for it to pause, so it is named for that.</summary>
    private static string State(JobStatus status, bool suspended, bool swappedOut) =>
        status != JobStatus.Stopped ? status.ToString() : swappedOut ? "Swapped out" : suspended ? "Suspended" : status.ToString();

    /// <summary>A time in UTC as the tables show it; empty when there is none.</summary>
    internal static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Invariant) ?? "";

    internal static string Percent(double? fraction) => fraction is { } f ? (f * 100).ToString("0.#", Invariant) + "%" : "-";

    private static string Ago(DateTimeOffset? at, DateTimeOffset now)
    {
        if (at is not { } when)
            return "never";
        var age = now - when < TimeSpan.Zero ? TimeSpan.Zero : now - when;
        return age.TotalSeconds < 60 ? $"{(int)age.TotalSeconds} s ago"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes} min ago"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours} h ago"
            : $"{(int)age.TotalDays} d ago";
    }

    internal static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : value.ToString("0.0", Invariant) + " " + units[unit];
    }
}
