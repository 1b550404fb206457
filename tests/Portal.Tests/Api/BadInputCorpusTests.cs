using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace Caas.Portal.Tests.Api;

/// <summary>
/// The bad job submissions kept in tests/corpus/job-submit (one file each, the words their refusal must say in
/// expected.tsv), and random bodies made of the API's own fields with values of any type: every one is answered
/// 201 or a 400 problem that says what is wrong, never a server error, and a refused one submits nothing.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BadInputCorpusTests : IAsyncLifetime
{
    private static readonly string CorpusDirectory = Path.Combine(RepositoryRoot(), "tests", "corpus", "job-submit");
    private PortalApiHost host = null!;

    public async Task InitializeAsync() => host = await PortalApiHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var line in File.ReadLines(Path.Combine(CorpusDirectory, "expected.tsv")))
        {
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var parts = line.Split('\t', 2);
            cases.Add(parts[0], parts[1]);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_bad_submission_in_the_corpus_is_refused_with_its_reason_and_submits_nothing(string name, string expected)
    {
        var body = await File.ReadAllTextAsync(Path.Combine(CorpusDirectory, name + ".json"));

        var response = await host.Client.PostAsync("/api/v1/jobs", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(expected, problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
        Assert.Empty(host.Platform.Submitted);
    }

    [Fact]
    public void Every_corpus_file_has_its_expected_refusal_and_every_expectation_its_file()
    {
        var files = Directory.GetFiles(CorpusDirectory, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        var listed = Cases().Select(row => (string)row[0]).Order(StringComparer.Ordinal);

        Assert.Equal(files, listed);
    }

    [Fact]
    public async Task Random_bodies_of_the_api_s_fields_get_201_or_a_400_problem_never_a_server_error()
    {
        string[] fields = ["command", "args", "env", "workingDirectory", "name", "priority", "pool", "nodeLabels", "stallThresholdSeconds",
            "onStall", "starvationWindowSeconds", "starvationRatio", "memoryLimitMiB", "ranks", "bogus"];
        var anyValue = Gen.OneOf<JsonNode?>(
            Gen.Const<JsonNode?>((JsonNode?)null),
            Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
            Gen.Double.Select(d => (JsonNode?)(double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(0))),
            Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l)),
            Gen.String.Select(s => (JsonNode?)JsonValue.Create(s)),
            Gen.Const<JsonNode?>(JsonValue.Create("/usr/bin/true")),
            Gen.String.Array[0, 3].Select(a => (JsonNode?)new JsonArray(a.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray())),
            Gen.String.Select(s => (JsonNode?)new JsonObject { [s] = "x" }));
        var bodies = Gen.Select(Gen.Int[0, fields.Length - 1].Array[1, 6], anyValue.Array[6], (keys, values) =>
        {
            var body = new JsonObject();
            for (var i = 0; i < keys.Length; i++)
                body[fields[keys[i]]] = values[i]?.DeepClone();
            return body.ToJsonString();
        });

        await bodies.SampleAsync(async body =>
        {
            var before = host.Platform.Submitted.Count;
            var response = await host.Client.PostAsync("/api/v1/jobs", new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.Created)
                return host.Platform.Submitted.Count == before + 1;
            return response.StatusCode == HttpStatusCode.BadRequest
                && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                && JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString() is { Length: > 0 }
                && host.Platform.Submitted.Count == before;
        }, iter: 300, threads: 1);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
                return directory.FullName;
        throw new InvalidOperationException($"no Platform.sln above {AppContext.BaseDirectory}");
    }
}
