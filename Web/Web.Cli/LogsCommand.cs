using System.CommandLine;
using System.Text.Json;
using Caas.Contracts.Views;

namespace Caas.Web.Cli;

/// <summary>
/// `caas logs ID [--stderr] [--tail N] [--follow] [--json]`: a job's output as the agent of its node captured it. The
/// output goes to standard output untouched (so it pipes like the job's own); notes about it go to standard error.
/// With --follow it keeps reading from where the last answer ended until the job has stopped and nothing is left.
/// </summary>
internal static class LogsCommand
{
    public static Command Create(Option<string> url, Option<bool> json, Argument<string> jobId, Func<string?> token, TextWriter output, TextWriter error, TimeSpan? pollInterval)
    {
        var stderr = new Option<bool>("--stderr") { Description = "The job's standard error instead of its standard output." };
        var tail = new Option<int>("--tail", "-n") { Description = "Show the last N lines (default 100, at most 10000).", DefaultValueFactory = _ => JobOutputQuery.DefaultTailLines };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new output as the job writes it, until the job has stopped; Ctrl-C ends it sooner." };
        var logs = new Command("logs", "Print a job's captured standard output (or --stderr), the last lines or --follow it.") { jobId, stderr, tail, follow, json };
        var poll = pollInterval ?? TimeSpan.FromSeconds(1);
        logs.SetAction((parse, ct) => CliApp.Run(parse, url, token(), output, error, async api =>
        {
            var lines = parse.GetValue(tail);
            if (lines is < 1 or > JobOutputQuery.MaxTailLines)
                throw new UsageException($"--tail must be between 1 and {JobOutputQuery.MaxTailLines}; got {lines}.");
            var path = $"jobs/{Uri.EscapeDataString(parse.GetValue(jobId)!)}/logs?stream={(parse.GetValue(stderr) ? "stderr" : "stdout")}";
            var asJson = parse.GetValue(json);
            var text = await api.GetAsync($"{path}&tail={lines}", ct);
            var chunk = Print(text, asJson, compact: parse.GetValue(follow));
            if (!parse.GetValue(follow))
            {
                if (!asJson && chunk.Text.Length == 0 && chunk.Note is { } note)
                    await error.WriteLineAsync($"caas-cli: {note}");
                return;
            }
            while (true)
            {
                text = await api.GetAsync($"{path}&from={chunk.End}", ct);
                var previous = chunk;
                chunk = PlatformApi.Read<JobOutput>(text);
                if (chunk.Text.Length > 0)
                    Print(text, asJson, compact: true);
                if (chunk.NodeId != previous.NodeId && chunk.NodeId is not null && previous.NodeId is not null)
                    await error.WriteLineAsync($"caas-cli: {chunk.JobId} now runs on {chunk.NodeId}; following its output there.");
                if (chunk.End < chunk.Length)
                    continue;
                if (!chunk.Running)
                    return;
                await Task.Delay(poll, ct);
            }
        }));
        return logs;

        JobOutput Print(string text, bool asJson, bool compact)
        {
            var chunk = PlatformApi.Read<JobOutput>(text);
            if (!asJson)
            {
                output.Write(chunk.Text);
                output.Flush();
            }
            else if (compact)
            {
                // One JSON object per line while following, so a script can read the answers as they come.
                using var document = JsonDocument.Parse(text);
                output.WriteLine(JsonSerializer.Serialize(document.RootElement));
            }
            else
                CliApp.WriteJson(output, text);
            return chunk;
        }
    }
}
