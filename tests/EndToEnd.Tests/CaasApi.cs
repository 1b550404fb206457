using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.EndToEnd.Tests;

/// <summary>The platform's HTTP API as a user's script would call it, with a token once <see cref="UseToken"/> gave one.</summary>
public sealed class CaasApi(Uri baseAddress)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public HttpClient Http => _http;

    /// <summary>Sends <paramref name="token"/> as "Authorization: Bearer" on every later call.</summary>
    public void UseToken(string token) =>
        _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

    public async Task<JobView> SubmitAsync(object spec)
    {
        var response = await _http.PostAsJsonAsync("/api/v1/jobs", spec, Json);
        await EnsureSuccessAsync(response);
        return (await response.Content.ReadFromJsonAsync<JobView>(Json))!;
    }

    public async Task<JobView> GetJobAsync(string id)
    {
        var response = await _http.GetAsync($"/api/v1/jobs/{id}");
        await EnsureSuccessAsync(response);
        return (await response.Content.ReadFromJsonAsync<JobView>(Json))!;
    }

    public async Task<Page<JobSummary>> ListJobsAsync(int take = 100) =>
        (await _http.GetFromJsonAsync<Page<JobSummary>>($"/api/v1/jobs?skip=0&take={take}", Json))!;

    /// <summary>The job's whole timeline, newest first, read page by page as the API serves it.</summary>
    public async Task<IReadOnlyList<TimelineEntry>> GetEventsAsync(string id)
    {
        const int pageSize = 500;
        // Newest-first pages shift while the job runs on: key by version so no event is read twice.
        var byVersion = new SortedDictionary<long, TimelineEntry>();
        for (var skip = 0; ; skip += pageSize)
        {
            var page = (await _http.GetFromJsonAsync<Page<TimelineEntry>>($"/api/v1/jobs/{id}/events?skip={skip}&take={pageSize}", Json))!;
            foreach (var entry in page.Items) byVersion[entry.Version] = entry;
            if (page.Items.Count < pageSize) return byVersion.Values.Reverse().ToList();
        }
    }

    public async Task<IReadOnlyList<NodeStatus>> GetNodesAsync() =>
        (await _http.GetFromJsonAsync<List<NodeStatus>>("/api/v1/nodes", Json))!;

    /// <summary>`caas nodes enroll NODE`: a new credential for the node (shown this once), ending its earlier one.</summary>
    public async Task<string> EnrollAsync(string nodeId)
    {
        var response = await _http.PostAsync($"/api/v1/nodes/{nodeId}/enroll", null);
        await EnsureSuccessAsync(response);
        return (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!["credential"]!.GetValue<string>();
    }

    /// <summary>The audit trail's records of <paramref name="action"/> (a name, or a prefix ending in '.'), newest first.</summary>
    public async Task<IReadOnlyList<(string User, string Target, string? Reason)>> GetAuditAsync(string action)
    {
        var page = (await _http.GetFromJsonAsync<JsonObject>($"/api/v1/audit?action={Uri.EscapeDataString(action)}&take=500", Json))!;
        return page["items"]!.AsArray().Select(r => (r!["user"]!.GetValue<string>(), r["target"]!.GetValue<string>(), r["reason"]?.GetValue<string>())).ToList();
    }

    public async Task<IReadOnlyList<AlertView>> GetAlertsAsync() =>
        (await _http.GetFromJsonAsync<Page<AlertView>>("/api/v1/alerts?includeResolved=true&take=500", Json))!.Items;

    /// <summary>
    /// The job's first alert that satisfies <paramref name="condition"/>, once the alert side has caught up: alerts
    /// follow the job's events through a subscription, so they may show a moment after the job's own view does.
    /// </summary>
    public async Task<AlertView> WaitForAlertAsync(string jobId, Func<AlertView, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if ((await GetAlertsAsync()).FirstOrDefault(a => a.JobId == jobId && condition(a)) is { } alert)
                return alert;
            await Task.Delay(200);
        }
        throw new TimeoutException($"job {jobId} did not get {what} within {timeout}; its alerts: "
            + string.Join("; ", (await GetAlertsAsync()).Where(a => a.JobId == jobId).Select(a => $"{a.Kind} {a.Message}")));
    }

    public async Task<AlertView> GetAlertAsync(string id) =>
        (await _http.GetFromJsonAsync<AlertView>($"/api/v1/alerts/{id}", Json))!;

    public async Task<AlertView> AcknowledgeAlertAsync(string id, string comment)
    {
        var response = await _http.PostAsJsonAsync($"/api/v1/alerts/{id}/ack", new { comment }, Json);
        await EnsureSuccessAsync(response);
        return (await response.Content.ReadFromJsonAsync<AlertView>(Json))!;
    }

    public async Task<int> CheckpointAsync(string id)
    {
        var response = await _http.PostAsJsonAsync($"/api/v1/jobs/{id}/checkpoint", new { leaveRunning = true }, Json);
        await EnsureSuccessAsync(response);
        return (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!["sequence"]!.GetValue<int>();
    }

    public async Task KillAsync(string id) =>
        await EnsureSuccessAsync(await _http.PostAsync($"/api/v1/jobs/{id}/kill", null));

    public async Task<HttpResponseMessage> PostRestoreAsync(string id, int? sequence) =>
        await _http.PostAsJsonAsync($"/api/v1/jobs/{id}/restore", new { sequence }, Json);

    public async Task<IReadOnlyList<RecoveryIncident>> GetIncidentsAsync(string id) =>
        (await _http.GetFromJsonAsync<List<RecoveryIncident>>($"/api/v1/jobs/{id}/incidents", Json))!;

    /// <summary>Polls the job's recovery incidents until one is in <paramref name="state"/>, failing with every incident's state and outcome.</summary>
    public async Task<RecoveryIncident> WaitForIncidentAsync(string id, string state, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var incidents = await GetIncidentsAsync(id);
            if (incidents.FirstOrDefault(i => i.State == state) is { } found)
                return found;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"job {id}: no incident {state} within {timeout.TotalSeconds:0} s: {string.Join("; ", incidents.Select(i => $"{i.State} {i.Outcome}"))}");
            await Task.Delay(250);
        }
    }

    /// <summary>Polls the job until <paramref name="condition"/> holds, failing with the job's last state and timeline.</summary>
    public async Task<JobView> WaitForJobAsync(string id, Func<JobView, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        JobView? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await GetJobAsync(id);
            if (condition(last)) return last;
            await Task.Delay(200);
        }
        var events = await GetEventsAsync(id);
        throw new TimeoutException(
            $"job {id}: not {what} within {timeout.TotalSeconds:0} s. Last state: {JsonSerializer.Serialize(last, Json)}\n" +
            $"Timeline (newest first, heartbeats and progress left out):\n{string.Join('\n', events.Where(e => e.Type is not ("HeartbeatRecorded" or "ProgressReported")).Take(40).Select(e => $"  {e.Version} {e.Type}: {e.Summary}"))}");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync();
        throw new ApiRejectedException(response.StatusCode, body);
    }
}

public sealed class ApiRejectedException(HttpStatusCode status, string body)
    : Exception($"API answered {(int)status} {status}: {body}")
{
    public HttpStatusCode Status { get; } = status;
    public string Body { get; } = body;
}
