using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Caas.Contracts.Bus;
using Caas.Ingest.Benchmarks;
using Caas.Soak.Benchmarks;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// The soak (issue 7) on the local cluster that `./caas up --cluster` started (PostgreSQL, RabbitMQ, two silos, a web
// host). Simulated agents (nodes soak-01.., enrolled with credentials of their own through the API) run --jobs jobs
// submitted through the API and heartbeat them every --interval seconds through RabbitMQ, for --minutes. Meanwhile:
// kill -9 of a random silo and its restart (about every 3 minutes, at random times), stalls injected into --stalls
// random jobs, and one node cut off for 30 s. Reports ingestion rate and memory over time, detection latency, saga
// durations, and soak.lost_events: acknowledged heartbeat samples missing from the store. Usage:
//   caas-bench-soak [--minutes 10] [--jobs 1000] [--nodes 10] [--interval 2] [--stalls 50] [--seed N]
var options = new Dictionary<string, int> { ["--minutes"] = 10, ["--jobs"] = 1000, ["--nodes"] = 10, ["--interval"] = 2, ["--stalls"] = 50, ["--seed"] = Environment.TickCount };
for (var i = 0; i < args.Length; i += 2)
{
    if (!options.ContainsKey(args[i]) || i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
    {
        Console.Error.WriteLine($"caas-bench-soak: bad argument '{args[i]}': use {string.Join(", ", options.Keys.Select(k => k + " N"))} with whole numbers >= 1");
        return 2;
    }
    options[args[i]] = value;
}
int minutes = options["--minutes"], jobCount = options["--jobs"], nodeCount = options["--nodes"], stallCount = options["--stalls"];
var interval = TimeSpan.FromSeconds(options["--interval"]);
var stallThreshold = TimeSpan.FromSeconds(10);
var random = new Random(options["--seed"]);
var clusterDir = Environment.GetEnvironmentVariable("CAAS_CLUSTER_DIR") ?? throw new InvalidOperationException("CAAS_CLUSTER_DIR is not set (bench/soak.sh sets it)");
var postgres = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable("CAAS_TEST_POSTGRES")) { SearchPath = Environment.GetEnvironmentVariable("CAAS_CLUSTER_SCHEMA") ?? "caas_local" }.ConnectionString;
var broker = new Uri(Environment.GetEnvironmentVariable("CAAS_TEST_RABBITMQ") ?? throw new InvalidOperationException("CAAS_TEST_RABBITMQ is not set"));
var processes = new ClusterProcesses(Path.Combine(clusterDir, "pids"));
var log = (string line) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# {line}"));

// An admin token for the soak, from the cluster's admin password; revoked at the end.
using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:5000/api/v1/"), Timeout = TimeSpan.FromSeconds(60) };
var password = (await File.ReadAllTextAsync(Path.Combine(clusterDir, "admin.password"))).Trim();
using (var login = new HttpRequestMessage(HttpMethod.Post, "tokens") { Content = JsonContent.Create(new { name = "soak", expiresInDays = 1 }) })
{
    login.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{password}")));
    var created = await Json(await http.SendAsync(login));
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.GetProperty("token").GetString());
    http.DefaultRequestHeaders.Add("X-Soak-Token-Id", created.GetProperty("id").GetString());
}
var fleet = new SoakFleet(nodeCount, jobCount / nodeCount + 1, interval);
var credentials = new Dictionary<string, string>();
foreach (var node in fleet.NodeIds)
    credentials[node] = (await Json(await http.PostAsync($"nodes/{node}/enroll", null))).GetProperty("credential").GetString()!;
var agent = new SoakAgent(fleet, credentials);

var services = new ServiceCollection();
services.AddMassTransit(bus =>
{
    bus.DisableUsageTelemetry();
    bus.UsingRabbitMq((context, cfg) =>
    {
        var user = broker.UserInfo.Split(':', 2);
        cfg.Host(broker.Host, (ushort)broker.Port, Uri.UnescapeDataString(broker.AbsolutePath.TrimStart('/')), host =>
        {
            host.Username(Uri.UnescapeDataString(user[0]));
            host.Password(Uri.UnescapeDataString(user[1]));
        });
        foreach (var node in fleet.NodeIds)
            cfg.ReceiveEndpoint(AgentAddress.QueueName(node), endpoint => endpoint.Consumer(() => agent));
    });
});
await using var provider = services.BuildServiceProvider();
var busControl = provider.GetRequiredService<IBusControl>();
await busControl.StartAsync();
var figures = new List<string>();
try
{
    // Nodes heartbeat from the start, so placement knows them; jobs go to the soak pool only (not the real agents).
    using var soakOver = new CancellationTokenSource();
    long published = 0, refused = 0;
    var heartbeats = Task.Run(async () =>
    {
        var next = Stopwatch.StartNew();
        while (!soakOver.IsCancellationRequested)
        {
            foreach (var (heartbeat, jobs) in fleet.NextHeartbeats())
            {
                try
                {
                    // Returns when RabbitMQ confirmed the message: from here on the platform must not lose it.
                    await busControl.Publish(heartbeat, agent.Sign<NodeHeartbeat>(heartbeat.Node.NodeId));
                    foreach (var job in jobs)
                        Interlocked.Increment(ref job.Acknowledged);
                    Interlocked.Add(ref published, jobs.Length);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    Interlocked.Add(ref refused, jobs.Length);
                }
            }
            var rest = interval - next.Elapsed;
            next.Restart();
            if (rest > TimeSpan.Zero)
                await Task.Delay(rest, soakOver.Token).ContinueWith(_ => { });
        }
    });
    await Task.Delay(interval * 2);

    var submitting = Stopwatch.StartNew();
    var jobIds = new List<string>();
    await Parallel.ForEachAsync(Enumerable.Range(0, jobCount), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, ct) =>
    {
        var body = new { command = "/usr/bin/true", name = $"soak-{n}", pool = SoakFleet.Pool, stallThresholdSeconds = stallThreshold.TotalSeconds };
        var id = (await Json(await http.PostAsJsonAsync("jobs", body, ct))).GetProperty("jobId").GetString()!;
        lock (jobIds)
            jobIds.Add(id);
    });
    await WaitUntil(() => fleet.Jobs.Count >= jobCount, TimeSpan.FromMinutes(5), "every job launched on a simulated node");
    log($"{jobCount} jobs submitted through the API and launched on {nodeCount} simulated nodes in {submitting.Elapsed.TotalSeconds:0.0} s");
    // The first heartbeats may overtake launches being recorded; count from a clean slate once every job runs.
    await Task.Delay(interval * 3);
    foreach (var job in fleet.Jobs)
        Interlocked.Exchange(ref job.Acknowledged, 0);
    var countedFrom = DateTimeOffset.UtcNow;

    // The plan: silo kills at random times in the middle 80 %, about one per 3 minutes; stalls spread over the first
    // 80 %; one node cut off for 30 s at a random time in the middle.
    var duration = TimeSpan.FromMinutes(minutes);
    TimeSpan At(double from, double to) => duration * (from + random.NextDouble() * (to - from));
    var kills = Enumerable.Range(0, Math.Max(1, minutes / 3)).Select(_ => At(0.1, 0.8)).Order().ToArray();
    var stallTimes = Enumerable.Range(0, stallCount).Select(_ => At(0.05, 0.8)).Order().ToArray();
    var cutNode = fleet.NodeIds[random.Next(nodeCount)];
    var cutAt = At(0.3, 0.6);
    var soak = Stopwatch.StartNew();
    var faults = Task.Run(async () =>
    {
        foreach (var at in kills)
        {
            if (at > soak.Elapsed)
                await Task.Delay(at - soak.Elapsed);
            var silos = processes.Hosts().Where(h => h.Kind == "silo").ToArray();
            var victim = silos[random.Next(silos.Length)];
            var pid = await processes.KillAndRestartAsync(victim.Name, TimeSpan.FromSeconds(10), CancellationToken.None);
            log($"t={soak.Elapsed.TotalSeconds:0}s: kill -9 of {victim.Name} (pid {victim.Pid}), restarted 10 s later as pid {pid}");
        }
    });
    var cut = Task.Run(async () =>
    {
        await Task.Delay(cutAt);
        fleet.Silent[cutNode] = true;
        log($"t={soak.Elapsed.TotalSeconds:0}s: node {cutNode} cut off for 30 s");
        await Task.Delay(TimeSpan.FromSeconds(30));
        fleet.Silent.TryRemove(cutNode, out _);
    });
    var stalls = Task.Run(async () =>
    {
        var candidates = fleet.Jobs.Where(j => j.Node != cutNode).OrderBy(_ => random.Next()).ToArray();
        for (var n = 0; n < stallTimes.Length; n++)
        {
            if (stallTimes[n] > soak.Elapsed)
                await Task.Delay(stallTimes[n] - soak.Elapsed);
            candidates[n].StalledAt = candidates[n].LastProgressAt;
        }
    });

    // Every 30 s: events per second into the store, and each host's resident memory.
    var lastHead = await Head(postgres);
    var lastAt = Stopwatch.StartNew();
    var rates = new List<double>();
    while (soak.Elapsed < duration)
    {
        await Task.Delay(TimeSpan.FromSeconds(30) < duration - soak.Elapsed ? TimeSpan.FromSeconds(30) : duration - soak.Elapsed);
        var head = await Head(postgres);
        var rate = (head - lastHead) / lastAt.Elapsed.TotalSeconds;
        rates.Add(rate);
        (lastHead, lastAt) = (head, Stopwatch.StartNew());
        var memory = string.Join(", ", processes.Hosts().Select(h => $"{h.Name} {ClusterProcesses.ResidentMiB(h.Pid):0} MiB"));
        log($"t={soak.Elapsed.TotalSeconds:0}s: {rate:0} events/s stored; rss {memory}; {await Connections(postgres)} PostgreSQL connections (of the whole server)");
    }
    await Task.WhenAll(faults, cut, stalls);
    await soakOver.CancelAsync();
    await heartbeats;

    // Afterwards: wait until the jobs' heartbeats stop arriving in the store (redelivered and queued reports are
    // recorded late), at most 5 minutes, then count.
    const string HeartbeatsSql = """
        SELECT stream, count(*) FROM events WHERE type = 'HeartbeatRecorded' AND stream = ANY(@streams) AND recorded_at >= @from GROUP BY stream
        """;
    var settled = Stopwatch.StartNew();
    var recorded = await Rows(postgres, HeartbeatsSql, jobIds, countedFrom);
    while (settled.Elapsed < TimeSpan.FromMinutes(5))
    {
        await Task.Delay(TimeSpan.FromSeconds(15));
        var again = await Rows(postgres, HeartbeatsSql, jobIds, countedFrom);
        if (again.Sum(r => r.Value) == recorded.Sum(r => r.Value))
            break;
        recorded = again;
    }
    log($"store settled {settled.Elapsed.TotalSeconds:0} s after the last heartbeat");
    var recordedBy = recorded.GroupBy(r => r.Stream).ToDictionary(g => g.Key, g => g.Sum(r => r.Value));
    var stalledRows = await Rows(postgres, """
        SELECT stream, (extract(epoch FROM recorded_at) * 1000)::bigint FROM events
        WHERE type = 'JobStalled' AND stream = ANY(@streams) AND recorded_at >= @from ORDER BY recorded_at
        """, jobIds, countedFrom);
    // Jobs that moved throughout: a stalled job is not "running" to the platform, and the cut node's jobs were lost for a while.
    var steady = fleet.Jobs.Where(j => j.StalledAt is null && j.Node != cutNode).ToArray();
    var lost = steady.Sum(j => Math.Max(0, j.Acknowledged - recordedBy.GetValueOrDefault(j.Id)));
    var jobsLosing = steady.Count(j => j.Acknowledged > recordedBy.GetValueOrDefault(j.Id));
    var acknowledged = steady.Sum(j => j.Acknowledged);
    var stalled = fleet.Jobs.Where(j => j.StalledAt is not null).ToArray();
    // A stall's detection: the job's first JobStalled after the injected stall began. Any other JobStalled (a job
    // that was moving, its heartbeats late behind a fault) is a false stall.
    var stallStarts = stalled.ToDictionary(j => j.Id, j => j.StalledAt!.Value);
    var detections = stalledRows.Where(r => stallStarts.TryGetValue(r.Stream, out var from) && DateTimeOffset.FromUnixTimeMilliseconds(r.Value) > from)
        .GroupBy(r => r.Stream).ToDictionary(g => g.Key, g => DateTimeOffset.FromUnixTimeMilliseconds(g.First().Value));
    var latencies = detections.Select(d => (d.Value - stallStarts[d.Key] - stallThreshold).TotalSeconds).Order().ToArray();
    var falseStalls = stalledRows.Where(r => !stallStarts.TryGetValue(r.Stream, out var from) || DateTimeOffset.FromUnixTimeMilliseconds(r.Value) <= from)
        .Select(r => r.Stream).Distinct().Count();
    var sagas = await SagaDurations(http.Timeout);
    log($"published {published} samples acknowledged by RabbitMQ ({refused} refused by it); {acknowledged} of them for the {steady.Length} jobs that moved throughout, {acknowledged - lost} of those in the store ({jobsLosing} jobs missing some)");
    log($"stalls: {stalled.Length} injected, {latencies.Length} detected; detection after the threshold: p50 {Percentile(latencies, 50):0.00} s, max {(latencies.Length > 0 ? latencies[^1] : double.NaN):0.00} s");
    log($"ingestion (30 s windows): min {rates.Min():0}, median {Percentile(rates.Order().ToArray(), 50):0}, max {rates.Max():0} events/s");
    log($"recovery sagas ended on the silos now running (counts reset with a killed silo): {sagas}");
    figures.Add(FigureLine.Target("soak.lost_events", lost, "<=", 0));
    figures.Add(FigureLine.Target("soak.detection_p99_s", Percentile(latencies, 99), "<=", 2 * interval.TotalSeconds));
    figures.Add(FigureLine.Record("soak.ingest_events_per_s", Percentile(rates.Order().ToArray(), 50)));
    figures.Add(FigureLine.Record("soak.stalls_missed", stalled.Length - latencies.Length));
    figures.Add(FigureLine.Record("soak.false_stall_jobs", falseStalls));
    foreach (var figure in figures)
        Console.WriteLine(figure);
    return lost == 0 && latencies.Length == stalled.Length ? 0 : 1;
}
finally
{
    await busControl.StopAsync();
    foreach (var node in fleet.NodeIds)
        await http.DeleteAsync($"nodes/{node}/credential");
    await http.DeleteAsync($"tokens/{http.DefaultRequestHeaders.GetValues("X-Soak-Token-Id").First()}");
}

static async Task<JsonElement> Json(HttpResponseMessage response)
{
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
        throw new InvalidOperationException($"caas-bench-soak: {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
    return JsonDocument.Parse(text).RootElement.Clone();
}

static async Task<long> Head(string postgres)
{
    await using var connection = new NpgsqlConnection(postgres);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand("SELECT coalesce(max(position), 0) FROM events", connection);
    return (long)(await command.ExecuteScalarAsync())!;
}

static async Task<long> Connections(string postgres)
{
    await using var connection = new NpgsqlConnection(postgres);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity", connection);
    return (long)(await command.ExecuteScalarAsync())!;
}

static async Task<List<(string Stream, long Value)>> Rows(string postgres, string sql, List<string> streams, DateTimeOffset from)
{
    await using var connection = new NpgsqlConnection(postgres);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    command.Parameters.AddWithValue("streams", streams.ToArray());
    command.Parameters.AddWithValue("from", from.UtcDateTime);
    await using var reader = await command.ExecuteReaderAsync();
    var rows = new List<(string, long)>();
    while (await reader.ReadAsync())
        rows.Add((reader.GetString(0), reader.GetInt64(1)));
    return rows;
}

// The silos' saga duration histograms (caas_recovery_saga_duration_seconds), from their metrics listeners.
static async Task<string> SagaDurations(TimeSpan timeout)
{
    using var scrape = new HttpClient { Timeout = timeout };
    var parts = new List<string>();
    foreach (var port in new[] { 9401, 9402 })
    {
        string text;
        try { text = await scrape.GetStringAsync($"http://127.0.0.1:{port}/metrics"); }
        catch (HttpRequestException) { parts.Add($":{port} not answering"); continue; }
        foreach (Match count in Regex.Matches(text, @"^caas_recovery_saga_duration_seconds_count\{([^}]*)\} (\S+)", RegexOptions.Multiline))
        {
            var sum = Regex.Match(text, @"^caas_recovery_saga_duration_seconds_sum\{" + Regex.Escape(count.Groups[1].Value) + @"\} (\S+)", RegexOptions.Multiline);
            var n = double.Parse(count.Groups[2].Value, CultureInfo.InvariantCulture);
            var total = sum.Success ? double.Parse(sum.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
            parts.Add(string.Create(CultureInfo.InvariantCulture, $":{port} {{{count.Groups[1].Value}}} {n:0} ended, mean {(n > 0 ? total / n : 0):0.00} s"));
        }
    }
    return parts.Count == 0 ? "none" : string.Join("; ", parts);
}

static double Percentile(double[] sorted, double p) =>
    sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

static async Task WaitUntil(Func<bool> condition, TimeSpan patience, string what)
{
    var deadline = Stopwatch.StartNew();
    while (!condition())
    {
        if (deadline.Elapsed > patience)
            throw new TimeoutException($"caas-bench-soak: not {what} within {patience}");
        await Task.Delay(200);
    }
}
