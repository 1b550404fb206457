using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Caas.Contracts.Policies;
using Caas.Contracts.Views;

namespace Caas.Web.Cli;

/// <summary>
/// `caas policies show|set|dry-run`: the configured defaults, a job's recovery policy, and what a policy would have done
/// over a job's recorded history. Policy files are JSON as in docs/policies.md; the platform checks them and names the bad fields.
/// Also the submit flags that give a new job its own policy.
/// </summary>
internal static class PoliciesCommand
{
    public static Command Create(Option<string> url, Option<bool> json, Func<string?> token, TextWriter output, TextWriter error)
    {
        var optionalJob = new Argument<string?>("id") { Description = "Job id; without it, the configured defaults.", Arity = ArgumentArity.ZeroOrOne };
        var show = new Command("show", "Show a job's recovery policy and where it comes from, or the platform's and pools' defaults.") { optionalJob, json };
        show.SetAction((parse, ct) => CliApp.Run(parse, url, token(), output, error, async api =>
        {
            var id = parse.GetValue(optionalJob);
            var text = await api.GetAsync(id is null ? "policies" : $"jobs/{Uri.EscapeDataString(id)}/policy", ct);
            if (parse.GetValue(json) || id is null)
                CliApp.WriteJson(output, text);
            else
            {
                var view = PlatformApi.Read<JobPolicyView>(text);
                output.WriteLine($"{view.JobId}: policy from {view.Source}");
                output.WriteLine(JsonSerializer.Serialize(view.Policy, Indented));
            }
        }));

        var jobId = new Argument<string>("id") { Description = "Job id, e.g. job-0123456789." };
        var requiredFile = new Option<FileInfo>("--file") { Description = "The policy as JSON (see docs/policies.md).", Required = true };
        var set = new Command("set", "Give a job its own recovery policy from now on (operator).") { jobId, requiredFile };
        set.SetAction((parse, ct) => CliApp.Run(parse, url, token(), output, error, async api =>
        {
            var id = parse.GetValue(jobId)!;
            var view = PlatformApi.Read<JobPolicyView>(await api.PutAsync($"jobs/{Uri.EscapeDataString(id)}/policy", ReadPolicyFile(parse.GetValue(requiredFile)!), ct));
            output.WriteLine($"{view.JobId} is now under its own policy.");
        }));

        var file = new Option<FileInfo?>("--file") { Description = "The policy to try, as JSON; the job's own policy when left out." };
        var dryRun = new Command("dry-run", "Replay a job's recorded history through a policy and list what it would have done and why; acts on nothing.") { jobId, file, json };
        dryRun.SetAction((parse, ct) => CliApp.Run(parse, url, token(), output, error, async api =>
        {
            var id = parse.GetValue(jobId)!;
            var body = parse.GetValue(file) is { } given ? ReadPolicyFile(given) : null;
            var text = await api.PostAsync($"jobs/{Uri.EscapeDataString(id)}/policy/dry-run", body, ct);
            if (parse.GetValue(json))
                CliApp.WriteJson(output, text);
            else
                Print(output, PlatformApi.Read<PolicyDryRun>(text));
        }));

        return new Command("policies", "Recovery policies: show the defaults or a job's, set a job's, dry-run one over a job's history.") { show, set, dryRun };
    }

    private static readonly JsonSerializerOptions Indented = new(PlatformApi.Json) { WriteIndented = true };

    private static void Print(TextWriter output, PolicyDryRun run)
    {
        output.WriteLine($"{run.JobId}: {run.EventsReplayed} events replayed, {run.Steps.Count} incident(s), {run.Steps.Count(s => s.Decision.Acts)} recovery(ies); nothing was acted on.");
        foreach (var step in run.Steps)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{step.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}  #{step.Version,-6} {step.EventType,-12} {step.Decision.Action,-15} {step.Decision.Reason}"));
    }

    /// <summary>The file's JSON as it is, so the platform judges every field (unknown ones included); only unreadable files are refused here.</summary>
    public static JsonNode ReadPolicyFile(FileInfo file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read the policy file {file.FullName}: {e.Message}");
        }
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new UsageException($"the policy file {file.FullName} must hold a JSON object.");
        }
        catch (JsonException e)
        {
            throw new UsageException($"the policy file {file.FullName} is not JSON: {e.Message}");
        }
    }

    /// <summary>The submit flags that shape the new job's own policy, starting from --policy FILE or the built-in defaults.</summary>
    public sealed record SubmitFlags(Option<FileInfo?> File, Option<FailureResponse?> OnFailure, Option<StarvationResponse?> OnStarvation, Option<double?> CheckpointEvery)
    {
        public static SubmitFlags Create() => new(
            new Option<FileInfo?>("--policy") { Description = "The job's own recovery policy, as a JSON file (docs/policies.md)." },
            new Option<FailureResponse?>("--on-failure") { Description = "None or Restart (from the newest checkpoint, up to maxFailureRestarts times)." },
            new Option<StarvationResponse?>("--on-starvation") { Description = "AlertOnly, MigrateNode or MigratePool (MigratePool needs allowCrossPool in --policy)." },
            new Option<double?>("--checkpoint-every") { Description = "Seconds between periodic leave-running checkpoints (a fixed interval)." });

        public IEnumerable<Option> All => [File, OnFailure, OnStarvation, CheckpointEvery];

        /// <returns>The policy to send, or null when no flag asks for one (the pool's or platform's default then applies).</returns>
        public JsonObject? Build(ParseResult parse)
        {
            var file = parse.GetValue(File);
            var (onFailure, onStarvation, every) = (parse.GetValue(OnFailure), parse.GetValue(OnStarvation), parse.GetValue(CheckpointEvery));
            if (file is null && onFailure is null && onStarvation is null && every is null)
                return null;
            var policy = file is null ? new JsonObject() : (JsonObject)ReadPolicyFile(file);
            if (onFailure is { } f)
                policy["onFailure"] = f.ToString();
            if (onStarvation is { } s)
                policy["onStarvation"] = s.ToString();
            if (every is { } seconds)
            {
                var checkpoints = policy["checkpoints"] as JsonObject ?? new JsonObject();
                checkpoints["mode"] = nameof(CheckpointMode.Fixed);
                checkpoints["intervalSeconds"] = seconds;
                policy["checkpoints"] = checkpoints;
            }
            return policy;
        }
    }
}
