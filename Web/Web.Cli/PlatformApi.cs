using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Caas.Web.Cli;

/// <summary>The platform's HTTP API (/api/v1) as caas-cli uses it: raw JSON for --json, typed views for text output.</summary>
public sealed class PlatformApi(HttpClient http, string? token)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public Uri BaseAddress => http.BaseAddress!;

    public Task<string> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<string> PostAsync(string path, object? body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    public Task<string> PutAsync(string path, object? body, CancellationToken ct) => SendAsync(HttpMethod.Put, path, body, ct);

    public Task<string> DeleteAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Delete, path, null, ct);

    /// <summary>Only for `login`: the one call that sends a password (HTTP Basic), to obtain a token.</summary>
    public Task<string> PostWithPasswordAsync(string path, object? body, string user, string password, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, path, body, ct,
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))));

    public static T Read<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Json) ?? throw new PlatformUnreachableException("The platform answered with an empty body.");

    private async Task<string> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct, AuthenticationHeaderValue? authorization = null)
    {
        using var request = new HttpRequestMessage(method, "api/v1/" + path);
        request.Headers.Authorization = authorization ?? (token is null ? null : new AuthenticationHeaderValue("Bearer", token));
        if (body is not null)
            request.Content = new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new PlatformUnreachableException($"Cannot reach the platform at {http.BaseAddress}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new PlatformUnreachableException($"The platform at {http.BaseAddress} did not answer within {http.Timeout.TotalSeconds:0} s.", e);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
                return text;
            var detail = ProblemDetail(text) ?? $"{(int)response.StatusCode} {response.ReasonPhrase}";
            if (response.StatusCode == HttpStatusCode.Unauthorized)
                throw new NotLoggedInException(detail);
            if ((int)response.StatusCode >= 500)
                throw new PlatformUnreachableException($"The platform failed: {detail}");
            if (response.StatusCode == HttpStatusCode.NotFound && detail.StartsWith("404", StringComparison.Ordinal))
                throw new ApiRefusedException(404, $"{http.BaseAddress} has no caas API at {request.RequestUri}: is --url right?");
            throw new ApiRefusedException((int)response.StatusCode, detail);
        }
    }

    private static string? ProblemDetail(string text)
    {
        try
        {
            using var problem = JsonDocument.Parse(text);
            return problem.RootElement.ValueKind == JsonValueKind.Object
                && problem.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String
                ? detail.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
