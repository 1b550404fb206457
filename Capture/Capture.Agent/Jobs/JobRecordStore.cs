using System.Text.Json;
using Caas.Contracts.Jobs;
using Microsoft.Extensions.Logging;

namespace Caas.Capture.Agent.Jobs;

/// <summary>Reads and writes the agent's job records. Written to a temporary file and renamed, so a crash never leaves half a record.</summary>
public sealed class JobRecordStore(AgentPaths paths, ILogger<JobRecordStore> logger)
{
    private const string FileName = "agent.json";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Save(JobRecord record)
    {
        var directory = paths.JobDirectory(record.JobId);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        File.WriteAllBytes(path + ".tmp", JsonSerializer.SerializeToUtf8Bytes(record, Json));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public JobRecord? Load(string jobId) =>
        JobIds.IsValid(jobId) ? Read(Path.Combine(paths.JobDirectory(jobId), FileName), jobId) : null;

    public IReadOnlyList<JobRecord> LoadAll()
    {
        var records = new List<JobRecord>();
        if (!Directory.Exists(paths.JobsDirectory))
            return records;
        foreach (var directory in Directory.GetDirectories(paths.JobsDirectory))
        {
            var jobId = Path.GetFileName(directory);
            if (JobIds.IsValid(jobId) && Read(Path.Combine(directory, FileName), jobId) is { } record)
                records.Add(record);
        }
        return records;
    }

    private JobRecord? Read(string path, string jobId)
    {
        if (!File.Exists(path))
            return null;
        try
        {
            return JsonSerializer.Deserialize<JobRecord>(File.ReadAllBytes(path), Json) is { } record && record.JobId == jobId ? record : null;
        }
        catch (JsonException e)
        {
            logger.LogWarning("ignoring unreadable job record {Path}: {Problem}", path, e.Message);
            return null;
        }
    }
}
