using System.CommandLine;
using Caas.Contracts.Alerts;
using System.Text.Json;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.Web.Cli;

/// <summary>
/// caas-cli: submit, list, show, logs, checkpoint, kill, restore, events, nodes (drain, undrain), alerts, over the platform's HTTP API.
/// Exit codes are in <see cref="ExitCodes"/>.
/// </summary>
public static class CliApp
{
    public const string UrlVariable = "CAAS_URL";
    public const string TokenVariable = "CAAS_TOKEN";
    public const string DefaultUrl = "http://127.0.0.1:5000";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <param name="environmentToken">$CAAS_TOKEN: when set, used instead of the token file.</param>
    /// <param name="tokenFile">Where `login` saves the token and every other command reads it (default ~/.config/caas/token).</param>
    /// <param name="input">Where `login --password-stdin` reads the password (default standard input).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, string? environmentUrl, TimeProvider? clock = null,
        string? environmentToken = null, TokenFile? tokenFile = null, TextReader? input = null, TimeSpan? pollInterval = null)
    {
        clock ??= TimeProvider.System;
        tokenFile ??= new TokenFile(TokenFile.DefaultPath());
        input ??= Console.In;
        var token = string.IsNullOrWhiteSpace(environmentToken) ? null : environmentToken.Trim();
        var url = new Option<string>("--url")
        {
            Description = $"Address of the platform (default: ${UrlVariable}, else {DefaultUrl}).",
            Recursive = true,
            DefaultValueFactory = _ => string.IsNullOrWhiteSpace(environmentUrl) ? DefaultUrl : environmentUrl,
        };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON instead of text." };
        var jobId = new Argument<string>("id") { Description = "Job id, e.g. job-0123456789." };

        var root = new RootCommand("caas: checkpointing as a service. Submit, watch, checkpoint and restore jobs.");
        root.Options.Add(url);

        var name = new Option<string?>("--name") { Description = "A name for people; defaults to the command's file name." };
        var stall = new Option<double?>("--stall-threshold") { Description = "Seconds without progress after which the job counts as stalled (default 300)." };
        var starvation = new Option<double?>("--starvation-window") { Description = "Seconds over which a progress rate far below the job's usual counts as starvation (default 300; 0 turns it off)." };
        var memory = new Option<long?>("--memory-limit") { Description = "MiB of memory the job's processes may use together; beyond it the kernel ends the job and the platform says so." };
        var env = new Option<string[]>("--env") { Description = "Environment variable KEY=VALUE for the job; repeat for more.", AllowMultipleArgumentsPerToken = false };
        var workdir = new Option<string?>("--workdir") { Description = "Absolute directory the job starts in." };
        var project = new Option<string?>("--project") { Description = "The project the job belongs to (default: default); you must be in it." };
        var submitPool = new Option<string?>("--pool") { Description = "The pool the job must run in (default: any)." };
        var priority = new Option<int?>("--priority") { Description = "-1000 to 1000, higher runs first (default 0); in a full pool the job swaps out a running job of lower priority." };
        var ranks = new Option<int?>("--ranks") { Description = "Run N ranks of the command, one per node, as one distributed job checkpointed as one; each rank gets CAAS_RANK, CAAS_RANKS and CAAS_RANK_ADDRESSES (the host list for mpirun)." };
        var commandLine = new Argument<string[]>("command") { Description = "The program and its arguments; put them after -- so their options are not read as caas-cli's.", Arity = ArgumentArity.OneOrMore };
        var policyFlags = PoliciesCommand.SubmitFlags.Create();
        var submit = new Command("submit", "Submit a job: caas-cli submit [--name N] [--stall-threshold SECONDS] [--policy FILE] [--on-failure Restart] [--checkpoint-every SECONDS] [--ranks N] -- CMD [ARGS...]")
        {
            name, stall, starvation, memory, env, workdir, project, priority, submitPool, ranks, commandLine,
        };
        foreach (var flag in policyFlags.All)
            submit.Options.Add(flag);
        submit.SetAction((parse, ct) => Run(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var words = parse.GetValue(commandLine)!;
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in parse.GetValue(env) ?? [])
            {
                var equals = pair.IndexOf('=');
                if (equals <= 0)
                    throw new UsageException($"--env wants KEY=VALUE; got '{pair}'.");
                environment[pair[..equals]] = pair[(equals + 1)..];
            }
            var body = new Dictionary<string, object?>
            {
                ["command"] = words[0],
                ["args"] = words[1..],
                ["env"] = environment,
                ["name"] = parse.GetValue(name),
                ["workingDirectory"] = parse.GetValue(workdir),
            };
            if (parse.GetValue(stall) is { } seconds)
                body["stallThresholdSeconds"] = seconds;
            if (parse.GetValue(starvation) is { } window)
                body["starvationWindowSeconds"] = window;
            if (parse.GetValue(memory) is { } mib)
                body["memoryLimitMiB"] = mib;
            if (policyFlags.Build(parse) is { } policy)
                body["policy"] = policy;
            if (parse.GetValue(submitPool) is { } poolName)
                body["pool"] = poolName;
            if (parse.GetValue(priority) is { } jobPriority)
                body["priority"] = jobPriority;
            if (parse.GetValue(project) is { } projectName)
                body["project"] = projectName;
            if (parse.GetValue(ranks) is { } rankCount)
                body["ranks"] = rankCount;
            var job = PlatformApi.Read<JobView>(await api.PostAsync("jobs", body, ct));
            var inProject = job.Spec.Project == JobProjects.Default ? "" : $" in project {job.Spec.Project}";
            var distributed = job.Spec.Ranks is { } count ? $", {count} ranks" : "";
            output.WriteLine($"Submitted {job.JobId} ({job.Name}{distributed}){inProject}: {job.Status}.");
        }));

        var status = new Option<JobStatus?>("--status") { Description = "Only jobs in this status." };
        var skip = new Option<int>("--skip") { Description = "Jobs to skip (newest first).", DefaultValueFactory = _ => 0 };
        var take = new Option<int>("--take") { Description = "Jobs to show.", DefaultValueFactory = _ => 50 };
        var pool = new Option<string?>("--pool") { Description = "Only jobs in this pool (asked for, or running on one of its nodes)." };
        var onNode = new Option<string?>("--node") { Description = "Only jobs on this node." };
        var inProject = new Option<string?>("--project") { Description = "Only jobs of this project (one of yours)." };
        var search = new Option<string?>("--search") { Description = "Only jobs whose name, id or command line contains this text (any case)." };
        var sort = new Option<string?>("--sort") { Description = "Order by submitted (default), name, status, node, progress or lastheartbeat." };
        sort.CompletionSources.Add("submitted", "name", "status", "node", "progress", "lastheartbeat");
        var ascending = new Option<bool>("--asc") { Description = "Smallest, oldest or A first (default: newest, largest or Z first)." };
        var list = new Command("list", "List jobs, newest first, filtered and sorted on the platform.") { status, pool, onNode, inProject, search, sort, ascending, skip, take, json };
        list.SetAction((parse, ct) => Run(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var query = $"jobs?skip={parse.GetValue(skip)}&take={parse.GetValue(take)}" + (parse.GetValue(status) is { } s ? $"&status={s}" : "")
                + (parse.GetValue(pool) is { } p ? $"&pool={Uri.EscapeDataString(p)}" : "")
                + (parse.GetValue(onNode) is { } n ? $"&node={Uri.EscapeDataString(n)}" : "")
                + (parse.GetValue(inProject) is { } pr ? $"&project={Uri.EscapeDataString(pr)}" : "")
                + (parse.GetValue(search) is { } q ? $"&q={Uri.EscapeDataString(q)}" : "")
                + (parse.GetValue(sort) is { } by ? $"&sort={Uri.EscapeDataString(by)}" : "")
                + (parse.GetValue(ascending) ? "&order=asc" : "");
            var text = await api.GetAsync(query, ct);
            if (parse.GetValue(json))
                WriteJson(output, text);
            else
                TextOutput.Jobs(output, PlatformApi.Read<Page<JobSummary>>(text), clock.GetUtcNow());
        }));

        var show = new Command("show", "Show one job: status, progress, resources and checkpoints.") { jobId, json };
        show.SetAction((parse, ct) => Run(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var text = await api.GetAsync($"jobs/{Uri.EscapeDataString(parse.GetValue(jobId)!)}", ct);
            if (parse.GetValue(json))
                WriteJson(output, text);
            else
                TextOutput.Job(output, PlatformApi.Read<JobView>(text), clock.GetUtcNow());
        }));

        var waiting = new WaitOptions(output, error, pollInterval);
        var (wait, timeout) = (waiting.Wait, waiting.Timeout);

        var stop = new Option<bool>("--stop") { Description = "Stop the job once the image is taken (default: it keeps running)." };
        var checkpoint = new Command("checkpoint", "Take a checkpoint of a running job.") { jobId, stop, wait, timeout };
        checkpoint.SetAction((parse, ct) => RunWithExit(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var id = parse.GetValue(jobId)!;
            var follower = waiting.FollowerIfWaiting(api, parse);
            var text = await api.PostAsync($"jobs/{Uri.EscapeDataString(id)}/checkpoint", new { leaveRunning = !parse.GetValue(stop) }, ct);
            using var answer = JsonDocument.Parse(text);
            var number = answer.RootElement.GetProperty("sequence").GetInt32();
            output.WriteLine($"Checkpoint {number} of {id} requested.");
            return follower is null ? ExitCodes.Ok : await follower.CheckpointAsync(id, number, stops: parse.GetValue(stop), ct);
        }));

        var suspend = new Command("suspend", "Suspend a running job to storage: checkpoint it and stop it, freeing its slot; `resume` brings it back.") { jobId, wait, timeout };
        suspend.SetAction((parse, ct) => RunWithExit(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var id = parse.GetValue(jobId)!;
            var follower = waiting.FollowerIfWaiting(api, parse);
            using var answer = JsonDocument.Parse(await api.PostAsync($"jobs/{Uri.EscapeDataString(id)}/suspend", null, ct));
            var number = answer.RootElement.GetProperty("sequence").GetInt32();
            output.WriteLine($"Suspending {id} to checkpoint {number}.");
            return follower is null ? ExitCodes.Ok : await follower.CheckpointAsync(id, number, stops: true, ct);
        }));

        var toNode = new Option<string?>("--node") { Description = "The node to move the job to." };
        var toPool = new Option<string?>("--pool") { Description = "The pool whose least loaded eligible node takes the job." };
        var migrate = new Command("migrate", "Move a running job to another node or pool: checkpoint and stop it, send its image, restore it there.") { jobId, toNode, toPool, wait, timeout };
        migrate.SetAction((parse, ct) => RunWithExit(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var id = parse.GetValue(jobId)!;
            var follower = waiting.FollowerIfWaiting(api, parse);
            var (node, pool) = (parse.GetValue(toNode), parse.GetValue(toPool));
            if ((node is null) == (pool is null))
                throw new UsageException("migrate wants --node N or --pool P (one of them).");
            var started = PlatformApi.Read<MigrationStarted>(await api.PostAsync($"jobs/{Uri.EscapeDataString(id)}/migrate", new { node, pool }, ct));
            output.WriteLine($"Moving {id} from {started.SourceNodeId} to {started.TargetNodeId} through checkpoint {started.Sequence}.");
            return follower is null ? ExitCodes.Ok : await follower.MigrationAsync(started, ct);
        }));

        var resume = new Command("resume", "Resume a suspended job from the checkpoint it was suspended to.") { jobId, wait, timeout };
        resume.SetAction((parse, ct) => RunWithExit(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var id = parse.GetValue(jobId)!;
            var follower = waiting.FollowerIfWaiting(api, parse);
            using var answer = JsonDocument.Parse(await api.PostAsync($"jobs/{Uri.EscapeDataString(id)}/resume", null, ct));
            var incident = answer.RootElement.GetProperty("incidentId").GetGuid();
            output.WriteLine($"Resuming {id} (incident {incident}).");
            return follower is null ? ExitCodes.Ok : await follower.RestoreAsync(id, incident, ct);
        }));

        var kill = new Command("kill", "Kill a job; it can be restored later from a checkpoint.") { jobId };
        kill.SetAction((parse, ct) => Run(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var id = parse.GetValue(jobId)!;
            await api.PostAsync($"jobs/{Uri.EscapeDataString(id)}/kill", null, ct);
            output.WriteLine($"Kill of {id} requested.");
        }));

        var sequence = new Option<int?>("--sequence") { Description = "Checkpoint to restore from (default: the newest)." };
        var restore = new Command("restore", "Restore a job from a checkpoint.") { jobId, sequence, wait, timeout };
        restore.SetAction((parse, ct) => RunWithExit(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var id = parse.GetValue(jobId)!;
            var chosen = parse.GetValue(sequence);
            var follower = waiting.FollowerIfWaiting(api, parse);
            var text = await api.PostAsync($"jobs/{Uri.EscapeDataString(id)}/restore", new { sequence = chosen }, ct);
            using var answer = JsonDocument.Parse(text);
            var incident = answer.RootElement.GetProperty("incidentId").GetGuid();
            output.WriteLine($"Restore of {id} from {(chosen is { } s ? $"checkpoint {s}" : "its newest checkpoint")} started (incident {incident}).");
            return follower is null ? ExitCodes.Ok : await follower.RestoreAsync(id, incident, ct);
        }));

        var eventSkip = new Option<int>("--skip") { Description = "Events to skip (newest first).", DefaultValueFactory = _ => 0 };
        var eventTake = new Option<int>("--take") { Description = "Events to show.", DefaultValueFactory = _ => 50 };
        var events = new Command("events", "Show a job's events, newest first.") { jobId, eventSkip, eventTake, json };
        events.SetAction((parse, ct) => Run(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var text = await api.GetAsync($"jobs/{Uri.EscapeDataString(parse.GetValue(jobId)!)}/events?skip={parse.GetValue(eventSkip)}&take={parse.GetValue(eventTake)}", ct);
            if (parse.GetValue(json))
                WriteJson(output, text);
            else
                TextOutput.Events(output, PlatformApi.Read<Page<TimelineEntry>>(text));
        }));

        var nodes = new Command("nodes", "List node agents.") { json };
        nodes.SetAction((parse, ct) => Run(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var text = await api.GetAsync("nodes", ct);
            if (parse.GetValue(json))
                WriteJson(output, text);
            else
                TextOutput.Nodes(output, PlatformApi.Read<List<NodeStatus>>(text), clock.GetUtcNow());
        }));

        var nodeId = new Argument<string>("node-id") { Description = "The node's id, as `caas nodes` lists it." };
        var drain = new Command("drain", "Stop placing new jobs on a node; the jobs it runs keep running.") { nodeId };
        drain.SetAction((parse, ct) => Run(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var id = parse.GetValue(nodeId)!;
            await api.PostAsync($"nodes/{Uri.EscapeDataString(id)}/drain", null, ct);
            output.WriteLine($"Node {id} drained: it takes no new jobs; the jobs it runs keep running.");
        }));
        var undrain = new Command("undrain", "Let a drained node take new jobs again.") { nodeId };
        undrain.SetAction((parse, ct) => Run(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var id = parse.GetValue(nodeId)!;
            await api.PostAsync($"nodes/{Uri.EscapeDataString(id)}/undrain", null, ct);
            output.WriteLine($"Node {id} takes new jobs again.");
        }));
        nodes.Subcommands.Add(drain);
        nodes.Subcommands.Add(undrain);
        foreach (var command in AccessCommands.NodeCredentials(url, nodeId, () => token ?? tokenFile.Read(), output, error))
            nodes.Subcommands.Add(command);

        var resolved = new Option<bool>("--all") { Description = "Include resolved alerts (history)." };
        var alertState = new Option<string?>("--state") { Description = "Only alerts in this state: pending, firing, acknowledged or resolved." };
        var alertSkip = new Option<int>("--skip") { Description = "Alerts to skip.", DefaultValueFactory = _ => 0 };
        var alertTake = new Option<int>("--take") { Description = "Alerts to show.", DefaultValueFactory = _ => 50 };
        var alertJob = new Option<string?>("--job") { Description = "Only this job's alerts: its open ones, then its resolved ones (history)." };
        Func<ParseResult, CancellationToken, Task<int>> listAlerts = (parse, ct) => Run(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var paging = $"skip={parse.GetValue(alertSkip)}&take={parse.GetValue(alertTake)}";
            var state = parse.GetValue(alertState) is { } s ? $"&state={Uri.EscapeDataString(s)}" : "";
            var job = parse.GetValue(alertJob);
            if (job is not null && state.Length > 0)
                throw new UsageException("--job lists all of the job's alerts, open ones first; --state applies only to the list of every alert.");
            var text = job is not null
                ? await api.GetAsync($"jobs/{Uri.EscapeDataString(job)}/alerts?{paging}", ct)
                : await api.GetAsync($"alerts?includeResolved={(parse.GetValue(resolved) ? "true" : "false")}{state}&{paging}", ct);
            if (parse.GetValue(json))
                WriteJson(output, text);
            else
                TextOutput.Alerts(output, PlatformApi.Read<Page<AlertView>>(text).Items, clock.GetUtcNow());
        });
        var alertsList = new Command("list", "List alerts (open ones unless --state or --all; with --job, that job's open and past ones).") { resolved, alertState, alertJob, alertSkip, alertTake, json };
        alertsList.SetAction(listAlerts);

        var alertId = new Argument<string>("alert-id") { Description = "The alert's id, e.g. stalled-job-0123456789." };
        var comment = new Option<string?>("--comment") { Description = "A note for the others on call." };
        var ack = new Command("ack", "Acknowledge a firing alert: you are on it. It stays until it resolves.") { alertId, comment, json };
        ack.SetAction((parse, ct) => Run(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var id = parse.GetValue(alertId)!;
            var text = await api.PostAsync($"alerts/{Uri.EscapeDataString(id)}/ack", new { comment = parse.GetValue(comment) }, ct);
            if (parse.GetValue(json))
                WriteJson(output, text);
            else
                output.WriteLine($"Alert {id} acknowledged.");
        }));

        var silenceKind = new Option<string?>("--kind") { Description = "Match alerts of this kind (Stalled, Starved, Failed, RecoveryFailed, NodeLost)." };
        var silenceJob = new Option<string?>("--job") { Description = "Match alerts of this job id." };
        var silenceNode = new Option<string?>("--node") { Description = "Match alerts of jobs on this node." };
        var silencePool = new Option<string?>("--pool") { Description = "Match alerts of jobs in this pool." };
        var silenceName = new Option<string?>("--name") { Description = "Match alerts of jobs whose name matches this glob (* and ?)." };
        var silenceFor = new Option<string>("--for") { Description = "How long, e.g. 30m, 2h, 1d.", DefaultValueFactory = _ => "2h" };
        var silenceReason = new Option<string?>("--reason") { Description = "Why (required): the next person on call reads it." };
        var silence = new Command("silence", "Stop notifying matching alerts for a while; they still show, marked silenced.")
        {
            silenceKind, silenceJob, silenceNode, silencePool, silenceName, silenceFor, silenceReason, json,
        };
        silence.SetAction((parse, ct) => Run(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var text = await api.PostAsync("silences", new
            {
                kind = parse.GetValue(silenceKind), job = parse.GetValue(silenceJob), node = parse.GetValue(silenceNode),
                pool = parse.GetValue(silencePool), name = parse.GetValue(silenceName), @for = parse.GetValue(silenceFor), reason = parse.GetValue(silenceReason),
            }, ct);
            if (parse.GetValue(json))
                WriteJson(output, text);
            else
            {
                var created = PlatformApi.Read<SilenceView>(text);
                output.WriteLine($"Silence {created.Id} created; it ends {created.EndsAt:u}.");
            }
        }));

        var includeExpired = new Option<bool>("--all") { Description = "Include ended silences." };
        var silences = new Command("silences", "List active silences.") { includeExpired, json };
        silences.SetAction((parse, ct) => Run(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            var text = await api.GetAsync($"silences?includeExpired={(parse.GetValue(includeExpired) ? "true" : "false")}", ct);
            if (parse.GetValue(json))
                WriteJson(output, text);
            else
                TextOutput.Silences(output, PlatformApi.Read<List<SilenceView>>(text));
        }));

        var silenceId = new Argument<string>("silence-id") { Description = "The silence's id." };
        var unsilence = new Command("unsilence", "End a silence now.") { silenceId };
        unsilence.SetAction((parse, ct) => Run(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            await api.DeleteAsync($"silences/{Uri.EscapeDataString(parse.GetValue(silenceId)!)}", ct);
            output.WriteLine($"Silence {parse.GetValue(silenceId)} ended.");
        }));

        // `caas alerts` alone still lists, as it did before the subcommands.
        var alerts = new Command("alerts", "List, acknowledge and silence alerts.") { resolved, alertState, alertJob, alertSkip, alertTake, json, alertsList, ack, silence, silences, unsilence };
        alerts.SetAction(listAlerts);

        var loginUser = new Option<string>("--user") { Description = "User to log in as.", DefaultValueFactory = _ => "admin" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input (for scripts)." };
        var tokenName = new Option<string?>("--token-name") { Description = "A name for the token, shown in the token list (default: caas-cli on this host)." };
        var login = new Command("login", "Log in with a password once; the token it obtains is kept in ~/.config/caas/token (0600) for every later call.")
        {
            loginUser, passwordStdin, tokenName,
        };
        login.SetAction((parse, ct) => Run(parse, url, null, output, error, async api =>
        {
            var user = parse.GetValue(loginUser)!;
            var password = PasswordPrompt.Read(user, input, error, parse.GetValue(passwordStdin));
            if (password.Length == 0)
                throw new UsageException("no password given.");
            string text;
            try
            {
                text = await api.PostWithPasswordAsync("tokens", new { name = parse.GetValue(tokenName) ?? $"caas-cli on {Environment.MachineName}" }, user, password, ct);
            }
            catch (NotLoggedInException e)
            {
                throw new ApiRefusedException(401, $"login failed: {e.Message.Split(" Send Authorization")[0]}");
            }
            using var answer = JsonDocument.Parse(text);
            tokenFile.Save(answer.RootElement.GetProperty("token").GetString()!);
            output.WriteLine($"Logged in to {api.BaseAddress} as {user}; the token ({answer.RootElement.GetProperty("id").GetString()}, expires {answer.RootElement.GetProperty("expiresAt").GetDateTimeOffset().UtcDateTime:yyyy-MM-dd}) is in {tokenFile.Path}.");
        }));

        var logout = new Command("logout", "Revoke the token in ~/.config/caas/token on the platform and forget it here.");
        logout.SetAction((parse, ct) => Run(parse, url, token ?? tokenFile.Read(), output, error, async api =>
        {
            if (token is not null)
                throw new UsageException($"${TokenVariable} is set: that token is yours to revoke (DELETE /api/v1/tokens/{{id}}); unset it to log out.");
            if (tokenFile.Read() is null)
            {
                output.WriteLine("Not logged in; nothing to do.");
                return;
            }
            try
            {
                await api.DeleteAsync("tokens/current", ct);
                output.WriteLine($"Logged out: the token is revoked and {tokenFile.Path} removed.");
            }
            catch (NotLoggedInException)
            {
                output.WriteLine($"Logged out: the platform no longer accepted the token; {tokenFile.Path} removed.");
            }
            tokenFile.Delete();
        }));

        var checkpoints = CheckpointsCommand.Create(url, json, jobId, waiting, () => token ?? tokenFile.Read(), output, error);
        var policies = PoliciesCommand.Create(url, json, () => token ?? tokenFile.Read(), output, error);
        var admin = AdminCommand.Create(url, json, () => token ?? tokenFile.Read(), output, error);
        var projects = AccessCommands.Projects(url, json, () => token ?? tokenFile.Read(), output, error);
        var audit = AccessCommands.Audit(url, json, () => token ?? tokenFile.Read(), output, error);
        var logs = LogsCommand.Create(url, json, jobId, () => token ?? tokenFile.Read(), output, error, pollInterval);
        foreach (var command in new[] { login, logout, submit, list, show, logs, checkpoint, suspend, resume, migrate, kill, restore, events, nodes, alerts, checkpoints, policies, admin, projects, audit })
            root.Subcommands.Add(command);
        root.Subcommands.Add(CompletionCommand.Create(root, output));

        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    internal static Task<int> Run(ParseResult parse, Option<string> url, string? token, TextWriter output, TextWriter error, Func<PlatformApi, Task> action) =>
        RunWithExit(parse, url, token, output, error, async api =>
        {
            await action(api);
            return ExitCodes.Ok;
        });

    /// <summary>Runs a command whose action decides its exit code (those that follow an operation); errors map as for every command.</summary>
    internal static async Task<int> RunWithExit(ParseResult parse, Option<string> url, string? token, TextWriter output, TextWriter error, Func<PlatformApi, Task<int>> action)
    {
        var address = parse.GetValue(url)!;
        if (!Uri.TryCreate(address.EndsWith('/') ? address : address + "/", UriKind.Absolute, out var baseAddress)
            || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            await error.WriteLineAsync($"caas-cli: --url must be an http(s) address such as {DefaultUrl}; got '{address}'.");
            return ExitCodes.Refused;
        }
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            return await action(new PlatformApi(http, token));
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"caas-cli: {e.Message}");
            return ExitCodes.Refused;
        }
        catch (NotLoggedInException e)
        {
            await error.WriteLineAsync($"caas-cli: not logged in: run ./caas login ({e.Message.Split(" Send Authorization")[0]})");
            return ExitCodes.Refused;
        }
        catch (ApiRefusedException e)
        {
            await error.WriteLineAsync($"caas-cli: {e.Message}");
            return ExitCodes.Refused;
        }
        catch (PlatformUnreachableException e)
        {
            await error.WriteLineAsync($"caas-cli: {e.Message}");
            return ExitCodes.Unreachable;
        }
        catch (JsonException e)
        {
            await error.WriteLineAsync($"caas-cli: the platform's answer was not what caas-cli understands ({e.Message}); is --url the caas API?");
            return ExitCodes.Unreachable;
        }
    }

    internal static void WriteJson(TextWriter output, string text)
    {
        using var document = JsonDocument.Parse(text);
        output.WriteLine(JsonSerializer.Serialize(document.RootElement, Indented));
    }
}
