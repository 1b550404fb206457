using Caas.Capture.Agent;
using Caas.Capture.Agent.Jobs;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Progress;
using Caas.Contracts.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Capture.Tests;

/// <summary>
/// A node agent's job side (no bus) on a scratch data directory, with real CRIU, for tests that drive <see cref="NodeJobs"/>
/// directly; kills the jobs it launched when disposed. memhog jobs change exactly a tenth of their memory per SIGUSR1 and,
/// with --verify, exit instead of reporting a round when their memory is not what they left.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LocalAgent : IAsyncDisposable
{
    private const int SigUsr1 = 10;
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TemporaryDirectory _directory = new();
    private readonly List<string> _jobIds = [];
    private readonly ServiceProvider _agent;

    /// <param name="settings">Settings under Caas:Agent beyond the node id, directories and binaries (e.g. "Images:Compress").</param>
    public LocalAgent(string node, IReadOnlyDictionary<string, string?> settings)
    {
        Node = node;
        var all = new Dictionary<string, string?>
        {
            ["Caas:Agent:NodeId"] = node,
            ["Caas:Agent:DataDirectory"] = _directory.Combine("agent"),
            ["Caas:Agent:ImageKeyFile"] = KeyFile,
            ["Caas:Agent:Capture:ShimPath"] = NativeBinaries.Shim,
            ["Caas:Agent:Capture:CriuPath"] = NativeBinaries.Criu,
        };
        foreach (var (key, value) in settings)
            all["Caas:Agent:" + key] = value;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCaasAgent(new ConfigurationBuilder().AddInMemoryCollection(all).Build());
        _agent = services.BuildServiceProvider();
        // What the agent's hosted service does at start; the bus side of the agent is not needed here.
        Directory.CreateDirectory(Paths.JobsDirectory);
        Directory.CreateDirectory(Paths.CheckpointsDirectory);
        Progress.Bind(Paths.ProgressSocket);
    }

    public string Node { get; }
    public string KeyFile => _directory.Combine("image.key");
    public NodeJobs Jobs => _agent.GetRequiredService<NodeJobs>();
    public ProgressChannel Progress => _agent.GetRequiredService<ProgressChannel>();
    public AgentPaths Paths => _agent.GetRequiredService<AgentPaths>();
    public T Get<T>() where T : notnull => _agent.GetRequiredService<T>();

    public async Task<(string JobId, JobHandle Handle)> Launch(string command, params string[] args)
    {
        var jobId = JobIds.New();
        _jobIds.Add(jobId);
        return (jobId, await Jobs.LaunchAsync(jobId, new JobSpec { Command = command, Args = args }, CancellationToken.None));
    }

    public async Task<(string JobId, JobHandle Handle)> LaunchMemhog(int mib)
    {
        var (jobId, handle) = await Launch(NativeBinaries.Memhog, "--mib", $"{mib}", "--dirty-fraction", "0.1", "--on-signal", "--verify");
        // Its signal handler is in place long before its buffer is filled.
        await Eventually.Get(() => ResidentMib(handle.Pid), rss => rss >= mib, Patience, $"memhog's {mib} MiB resident");
        return (jobId, handle);
    }

    private static long? ResidentMib(int pid) =>
        File.Exists($"/proc/{pid}/status")
            ? File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024).FirstOrDefault()
            : null;

    /// <summary>Asks memhog for a round (a tenth of its memory rewritten, after checking the rest) and waits for it to report it.</summary>
    public async Task Round(string jobId, JobHandle handle, int round)
    {
        Assert.True(Engine.Proc.Libc.Kill(handle.Pid, SigUsr1), $"memhog PID {handle.Pid} is gone");
        await Eventually.Get(() => Progress.Get(jobId), p => p.Message == $"round {round}", Patience, $"memhog's round {round}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var jobId in _jobIds)
            await Jobs.KillAsync(jobId, CancellationToken.None);
        await _agent.DisposeAsync();
        _directory.Dispose();
    }
}
