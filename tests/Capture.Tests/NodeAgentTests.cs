using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;
using Caas.Capture.Agent;
using Caas.Capture.Agent.Jobs;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Bundles;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Caas.Capture.Tests;

/// <summary>The whole agent on a real MassTransit in-memory bus, with the real shim, CRIU and counter.</summary>
[Trait("Category", "EndToEnd")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NodeAgentTests : IAsyncLifetime
{
    private const string Node = "node-a";
    private readonly TemporaryDirectory _directory = new();
    private IHost _host = null!;
    private ITestHarness _harness = null!;

    private string KeyFile => _directory.Combine("image.key");

    /// <summary>Verifies with the key the agent keeps in its key file, as another agent of the platform would.</summary>
    private CheckpointBundleVerifier PlatformVerifier() => new(new HmacManifestSigner(File.ReadAllBytes(KeyFile)));

    public async Task InitializeAsync() => (_host, _harness) = await StartAgent();

    private async Task<(IHost, ITestHarness)> StartAgent(string heartbeatInterval = "00:00:00.200")
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Caas:Agent:NodeId"] = Node,
            ["Caas:Agent:Pool"] = "pool-x",
            ["Caas:Agent:JobSlots"] = "3",
            ["Caas:Agent:HeartbeatInterval"] = heartbeatInterval,
            ["Caas:Agent:DataDirectory"] = _directory.Path,
            ["Caas:Agent:ImageKeyFile"] = KeyFile,
            ["Caas:Agent:Retention:KeepLast"] = "2",
            // Every second checkpoint is full, so that retention can delete whole chains.
            ["Caas:Agent:Images:MaxChainLength"] = "2",
            ["Caas:Agent:Capture:ShimPath"] = NativeBinaries.Shim,
            ["Caas:Agent:Capture:CriuPath"] = NativeBinaries.Criu,
        });
        builder.Services.AddCaasAgent(builder.Configuration);
        builder.Services.AddMassTransitTestHarness(bus =>
        {
            bus.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(60), testInactivityTimeout: TimeSpan.FromSeconds(30));
            bus.AddCaasAgentConsumers(Node);
            bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
        });
        var host = builder.Build();
        await host.StartAsync();
        return (host, host.Services.GetRequiredService<ITestHarness>());
    }

    public async Task DisposeAsync()
    {
        var engine = _host.Services.GetRequiredService<ICheckpointEngine>();
        var paths = _host.Services.GetRequiredService<AgentPaths>();
        foreach (var record in _host.Services.GetRequiredService<JobRecordStore>().LoadAll())
            engine.Kill(new JobHandle(record.JobId, paths.JobDirectory(record.JobId), record.Pid, record.StartTicks));
        await _host.StopAsync();
        _host.Dispose();
        _directory.Dispose();
    }

    private async Task Send<T>(T command) where T : class =>
        await (await _harness.Bus.GetSendEndpoint(AgentAddress.For(Node))).Send(command);

    private async Task<T> Published<T>(Func<T, bool> match) where T : class
    {
        Assert.True(await _harness.Published.Any<T>(m => match(m.Context.Message)), $"no matching {typeof(T).Name} was published");
        return _harness.Published.Select<T>(m => match(m.Context.Message)).First().Context.Message;
    }

    /// <summary>What was published up to now, without waiting for more (the harness would wait for its timeout).</summary>
    private IReadOnlyList<T> PublishedSoFar<T>(Func<T, bool> match) where T : class
    {
        using var now = new CancellationTokenSource();
        now.Cancel();
        return _harness.Published.Select<T>(m => match(m.Context.Message), now.Token).Select(m => m.Context.Message).ToList();
    }

    private static JobSpec CounterSpec() => new() { Command = NativeBinaries.Counter, Args = ["--target", "1000000", "--rate", "50"] };

    [Fact]
    public async Task Launches_heartbeats_checkpoints_kills_and_restores_a_job_through_the_bus()
    {
        var jobId = JobIds.New();
        await Send(new LaunchJob(jobId, Node, CounterSpec()));

        var launched = await Published<JobLaunched>(m => m.JobId == jobId);
        Assert.Equal(Node, launched.NodeId);
        Assert.True(Directory.Exists($"/proc/{launched.Pid}"));

        var beat = await Published<NodeHeartbeat>(m => m.Samples.Any(s => s.JobId == jobId && s.Progress > 0));
        Assert.Equal(Node, beat.Node.NodeId);
        Assert.Equal("pool-x", beat.Node.Pool);
        Assert.Equal(TimeSpan.FromMilliseconds(200), beat.Node.HeartbeatInterval);
        Assert.Equal(3, beat.Node.JobSlots);
        Assert.Equal(1, beat.Node.RunningJobs);
        Assert.StartsWith("criu 4.2", beat.Node.Engine);
        Assert.Null(beat.Node.EngineProblem);
        Assert.Equal((File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), Engine.Cpu.CpuInfo.ReadThisNode().Model), (beat.Node.KernelVersion, beat.Node.CpuModel));
        var sample = Assert.Single(beat.Samples);
        Assert.Equal(launched.Pid, sample.Pid);
        Assert.Contains(sample.State, new[] { "R", "S" });
        Assert.Equal(1, sample.Threads);
        Assert.True(sample.RssBytes > 0);
        Assert.NotNull(sample.LastReportAt);

        await Send(new CheckpointJob(jobId, Node, 1, LeaveRunning: true));
        var completed = await Published<CheckpointCompleted>(m => m.JobId == jobId);
        Assert.Equal(1, completed.Checkpoint.Sequence);
        Assert.Equal(Node, completed.Checkpoint.NodeId);
        Assert.True(completed.Checkpoint.LeaveRunning);
        Assert.StartsWith("criu 4.2", completed.Checkpoint.Engine);
        Assert.True(completed.Checkpoint.Progress > 0, $"progress at checkpoint {completed.Checkpoint.Progress}");
        Assert.True(completed.Checkpoint.AppPause > TimeSpan.Zero && completed.Checkpoint.AppPause <= completed.Checkpoint.Duration);
        Assert.True(completed.Checkpoint.Dump >= completed.Checkpoint.AppPause && completed.Checkpoint.Dump <= completed.Checkpoint.Duration, $"{completed.Checkpoint}");
        var bundle = CheckpointBundle.For(Path.Combine(_directory.Path, "checkpoints"), jobId, 1);
        var manifest = await PlatformVerifier().VerifyAsync(bundle, jobId, 1);
        Assert.Equal(completed.Checkpoint.SizeBytes, manifest.TotalBytes);
        Assert.Equal(completed.Checkpoint.Progress, manifest.Progress);
        Assert.Equal("pool-x", manifest.Pool);
        Assert.Contains(manifest.Files, f => f.Path.StartsWith("images/pages-", StringComparison.Ordinal));

        await Send(new CheckpointJob(jobId, Node, 1, LeaveRunning: true));
        var duplicate = await Published<CheckpointRejected>(m => m.JobId == jobId && m.Sequence == 1);
        Assert.Equal($"checkpoint 1 of job {jobId} already exists on node {Node}", duplicate.Reason);

        await Send(new KillJob(jobId, Node, "test"));
        var exited = await Published<JobProcessExited>(m => m.JobId == jobId);
        Assert.Equal(new JobProcessExited(jobId, Node, null, 9, exited.At), exited);
        await Published<NodeHeartbeat>(m => m.At > exited.At && m.Node.RunningJobs == 0 && m.Samples.Count == 0);

        var incident = Guid.NewGuid();
        await Send(new RestoreJob(jobId, Node, incident, 1, Node));
        var restored = await Published<RestoreCompleted>(m => m.IncidentId == incident);
        Assert.Equal((jobId, Node, 1), (restored.JobId, restored.NodeId, restored.Sequence));
        Assert.NotEqual(launched.Pid, restored.Pid);
        Assert.True(restored.Duration > TimeSpan.Zero, "the agent measures how long a restore took");
        var after = await Published<NodeHeartbeat>(m => m.At > restored.At && m.Samples.Any(s => s.JobId == jobId && s.Progress is not null));
        Assert.True(after.Samples.Single().Progress >= completed.Checkpoint.Progress, "the restored job continues from its checkpoint");
        Assert.Equal(restored.Pid, after.Samples.Single().Pid);
        // The bundle is untouched by the restore, so it can be restored from again.
        await PlatformVerifier().VerifyAsync(bundle, jobId, 1);
    }

    [Fact]
    public async Task A_restored_jobs_first_progress_is_sent_at_once_not_at_the_next_heartbeat_tick()
    {
        await _host.StopAsync();
        _host.Dispose();
        (_host, _harness) = await StartAgent(heartbeatInterval: "00:00:30");
        var jobId = JobIds.New();
        await Send(new LaunchJob(jobId, Node, CounterSpec()));
        await Published<JobLaunched>(m => m.JobId == jobId);
        await Send(new CheckpointJob(jobId, Node, 1, LeaveRunning: false));
        await Published<CheckpointCompleted>(m => m.JobId == jobId);

        var incident = Guid.NewGuid();
        await Send(new RestoreJob(jobId, Node, incident, 1, Node));
        var restored = await Published<RestoreCompleted>(m => m.IncidentId == incident);

        // By the restored copy's PID, not by time: the early heartbeat may be stamped before the restore report is, when the
        // consumer that publishes that report runs late (a loaded machine), and then "after the report" would wait for the tick.
        var beat = await Published<NodeHeartbeat>(m => m.Samples.Any(s => s.JobId == jobId && s.Pid == restored.Pid && s.Progress is not null));
        Assert.True(beat.At - restored.At < TimeSpan.FromSeconds(5), $"the first heartbeat with progress came {beat.At - restored.At} after the restore; the next tick was 30 s away");
    }

    [Fact]
    public async Task Restore_replaces_a_copy_that_is_still_running()
    {
        var jobId = JobIds.New();
        await Send(new LaunchJob(jobId, Node, CounterSpec()));
        var launched = await Published<JobLaunched>(m => m.JobId == jobId);
        await Published<NodeHeartbeat>(m => m.Samples.Any(s => s.JobId == jobId && s.Progress > 0));
        await Send(new CheckpointJob(jobId, Node, 1, LeaveRunning: true));
        await Published<CheckpointCompleted>(m => m.JobId == jobId);

        var incident = Guid.NewGuid();
        await Send(new RestoreJob(jobId, Node, incident, 1, Node));
        var restored = await Published<RestoreCompleted>(m => m.IncidentId == incident);

        Assert.False(Directory.Exists($"/proc/{launched.Pid}"), "the old copy is gone");
        var beat = await Published<NodeHeartbeat>(m => m.At > restored.At && m.Samples.Any(s => s.JobId == jobId));
        Assert.Equal(restored.Pid, Assert.Single(beat.Samples).Pid);
        // The replaced copy's death is not reported as the job's exit.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(PublishedSoFar<JobProcessExited>(m => m.JobId == jobId));
    }

    [Fact]
    public async Task A_stopping_checkpoint_frees_the_slot_without_reporting_an_exit_and_the_job_comes_back_from_it()
    {
        var jobId = JobIds.New();
        await Send(new LaunchJob(jobId, Node, CounterSpec()));
        await Published<NodeHeartbeat>(m => m.Samples.Any(s => s.JobId == jobId && s.Progress > 0));

        await Send(new CheckpointJob(jobId, Node, 1, LeaveRunning: false));
        var completed = await Published<CheckpointCompleted>(m => m.JobId == jobId);
        Assert.False(completed.Checkpoint.LeaveRunning);
        Assert.True(completed.Checkpoint.Progress > 0);
        await Published<NodeHeartbeat>(m => m.At > completed.At && m.Node.RunningJobs == 0);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(PublishedSoFar<JobProcessExited>(m => m.JobId == jobId));

        var incident = Guid.NewGuid();
        await Send(new RestoreJob(jobId, Node, incident, 1, Node));
        var restored = await Published<RestoreCompleted>(m => m.IncidentId == incident);
        var beat = await Published<NodeHeartbeat>(m => m.At > restored.At && m.Samples.Any(s => s.JobId == jobId && s.Progress is not null));
        Assert.True(beat.Samples.Single().Progress >= completed.Checkpoint.Progress);
    }

    [Fact]
    public async Task A_missing_executable_is_rejected_with_a_clear_reason_and_nothing_runs()
    {
        var jobId = JobIds.New();
        await Send(new LaunchJob(jobId, Node, new JobSpec { Command = "/no/such/program" }));

        var rejected = await Published<LaunchRejected>(m => m.JobId == jobId);
        Assert.Equal("executable '/no/such/program' does not exist", rejected.Reason);
        Assert.False(File.Exists(Path.Combine(_directory.Path, "jobs", jobId, "agent.json")));

        var onPath = JobIds.New();
        await Send(new LaunchJob(onPath, Node, new JobSpec { Command = "no-such-program-anywhere" }));
        Assert.Equal("executable 'no-such-program-anywhere' was not found on PATH", (await Published<LaunchRejected>(m => m.JobId == onPath)).Reason);
    }

    [Fact]
    public async Task The_launch_preflight_answers_whether_a_spec_could_start_here_and_starts_nothing()
    {
        var client = _harness.Bus.CreateRequestClient<CheckLaunch>(AgentAddress.For(Node));

        var good = await client.GetResponse<LaunchCheckResult>(new CheckLaunch(Node, CounterSpec()));
        Assert.Equal(new LaunchCheckResult(Node, true, null), good.Message);

        var missing = await client.GetResponse<LaunchCheckResult>(new CheckLaunch(Node, new JobSpec { Command = "/nonexistent/caas-no-such-program" }));
        Assert.Equal(new LaunchCheckResult(Node, false, "executable '/nonexistent/caas-no-such-program' does not exist"), missing.Message);

        var badDirectory = await client.GetResponse<LaunchCheckResult>(new CheckLaunch(Node, CounterSpec() with { WorkingDirectory = "/nonexistent-dir" }));
        Assert.Equal($"working directory /nonexistent-dir does not exist on node {Node}", badDirectory.Message.Problem);

        Assert.Empty(PublishedSoFar<JobLaunched>(_ => true));
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "jobs")) && Directory.EnumerateDirectories(Path.Combine(_directory.Path, "jobs")).Any(),
            "a pre-flight must not create job directories");
    }

    [Fact]
    public async Task A_jobs_stdout_and_stderr_are_read_from_the_files_the_agent_captured()
    {
        var jobId = JobIds.New();
        await Send(new LaunchJob(jobId, Node, new JobSpec { Command = "/bin/sh", Args = ["-c", "echo started; echo 'no disk' >&2; exec sleep 600"] }));
        await Published<JobLaunched>(m => m.JobId == jobId);
        var client = _harness.Bus.CreateRequestClient<ReadJobOutput>(AgentAddress.For(Node));
        async Task<JobOutputRead> ReadAsync(JobOutputStream stream, long? from = null) =>
            (await client.GetResponse<JobOutputRead>(new ReadJobOutput(Node, jobId, stream, from, 10, 4096))).Message;

        var deadline = DateTime.UtcNow.AddSeconds(30);
        var stdout = await ReadAsync(JobOutputStream.Stdout);
        while (stdout.Text != "started\n" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            stdout = await ReadAsync(JobOutputStream.Stdout);
        }
        var stderr = await ReadAsync(JobOutputStream.Stderr);
        var after = await ReadAsync(JobOutputStream.Stdout, from: stdout.End);

        Assert.Equal((true, 0L, 8L), (stdout.Exists, stdout.Start, stdout.End));
        Assert.Equal("no disk\n", stderr.Text);
        Assert.Equal(("", 8L), (after.Text, after.Start));
        var stranger = await client.GetResponse<JobOutputRead>(new ReadJobOutput(Node, "../../etc", JobOutputStream.Stdout, null, 10, 4096));
        Assert.Equal((false, ""), (stranger.Message.Exists, stranger.Message.Text));
        var unknown = await client.GetResponse<JobOutputRead>(new ReadJobOutput(Node, JobIds.New(), JobOutputStream.Stdout, null, 10, 4096));
        Assert.False(unknown.Message.Exists);
    }

    [Fact]
    public async Task Bad_commands_are_rejected_with_reasons()
    {
        var notHere = JobIds.New();
        await Send(new CheckpointJob(notHere, Node, 1, LeaveRunning: true));
        Assert.Equal($"job {notHere} is not running on node {Node}", (await Published<CheckpointRejected>(m => m.JobId == notHere)).Reason);

        var incident = Guid.NewGuid();
        await Send(new RestoreJob(notHere, Node, incident, 4, "node-b"));
        Assert.Equal($"checkpoint 4 of job {notHere} is held by node node-b and has not been transferred here (TransferCheckpoint)",
            (await Published<RestoreRejected>(m => m.IncidentId == incident)).Reason);

        await Send(new LaunchJob("../../etc", Node, CounterSpec()));
        Assert.Equal("'../../etc' is not a job id (expected \"job-\" and 10 lower-case hex digits)", (await Published<LaunchRejected>(m => m.JobId == "../../etc")).Reason);

        var badSpec = JobIds.New();
        await Send(new LaunchJob(badSpec, Node, new JobSpec { Command = "", WorkingDirectory = "relative" }));
        Assert.Equal("'command' is empty: give the program to run, e.g. \"/usr/bin/sleep\". 'workingDirectory' must be an absolute path.",
            (await Published<LaunchRejected>(m => m.JobId == badSpec)).Reason);
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "jobs", badSpec)));
    }

    [Fact]
    public async Task A_tampered_checkpoint_is_refused_before_criu_sees_it()
    {
        var jobId = JobIds.New();
        await Send(new LaunchJob(jobId, Node, CounterSpec()));
        await Published<JobLaunched>(m => m.JobId == jobId);
        await Send(new CheckpointJob(jobId, Node, 2, LeaveRunning: true));
        await Published<CheckpointCompleted>(m => m.JobId == jobId);
        var images = Path.Combine(_directory.Path, "checkpoints", jobId, "2", "images");
        // Stored as written or zstd-compressed, whichever the agent chose: either way the stored bytes are what is hashed.
        var pages = Directory.GetFiles(images, "pages-*.img*").First();
        await using (var stream = File.OpenWrite(pages))
            stream.WriteByte(0x90);

        var incident = Guid.NewGuid();
        await Send(new RestoreJob(jobId, Node, incident, 2, Node));

        var rejected = await Published<RestoreRejected>(m => m.IncidentId == incident);
        Assert.Equal($"checkpoint 2 of job {jobId} refused: images/{Path.GetFileName(pages)} chunk 0 (bytes 0-{new FileInfo(pages).Length - 1}) does not match its SHA-256 in the manifest (the file was changed or damaged)", rejected.Reason);
        Assert.Empty(PublishedSoFar<JobProcessExited>(m => m.JobId == jobId)); // "the running job was left alone"
    }

    private async Task<(string JobId, CheckpointBundle Bundle)> RunningJobWithCheckpoint(int sequence)
    {
        var jobId = JobIds.New();
        await Send(new LaunchJob(jobId, Node, CounterSpec()));
        await Published<JobLaunched>(m => m.JobId == jobId);
        await Send(new CheckpointJob(jobId, Node, sequence, LeaveRunning: true));
        await Published<CheckpointCompleted>(m => m.JobId == jobId && m.Checkpoint.Sequence == sequence);
        return (jobId, CheckpointBundle.For(Path.Combine(_directory.Path, "checkpoints"), jobId, sequence));
    }

    private async Task<string> RestoreRefusal(string jobId, int sequence)
    {
        var incident = Guid.NewGuid();
        await Send(new RestoreJob(jobId, Node, incident, sequence, Node));
        return (await Published<RestoreRejected>(m => m.IncidentId == incident)).Reason;
    }

    [Fact]
    public async Task The_agent_signs_with_its_key_file_made_owner_only_on_first_start()
    {
        Assert.Equal(32, new FileInfo(KeyFile).Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        var (jobId, bundle) = await RunningJobWithCheckpoint(1);

        var manifest = await PlatformVerifier().VerifyAsync(bundle, jobId, 1);

        Assert.Matches("^hmac-sha256:[0-9a-f]{64}$", manifest.Signature);
        Assert.Equal(CheckpointManifest.CurrentFormat, manifest.Format);
        Assert.Equal(64 << 20, manifest.ChunkBytes);
        Assert.All(manifest.Files, f => Assert.Equal((f.Size + (64 << 20) - 1) / (64 << 20), f.Chunks.Count));
        var cpu = Engine.Cpu.CpuInfo.ReadThisNode();
        Assert.Equal(cpu.Model, manifest.CpuModel);
        Assert.Equal(cpu.Flags.Order(StringComparer.Ordinal), manifest.CpuFlags);
        Assert.StartsWith("criu 4.2", manifest.Engine);

        var jobs = _host.Services.GetRequiredService<NodeJobs>();
        Assert.Null(await jobs.CheckRestorableAsync(jobId, 1, CancellationToken.None));
        Assert.Equal($"checkpoint 7 of job {jobId} does not exist on node {Node}", await jobs.CheckRestorableAsync(jobId, 7, CancellationToken.None));
        Assert.True(jobs.IsTracked(jobId), "the pre-flight leaves the running job alone");
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "jobs", jobId, "restore-1")), "the pre-flight cleans up its staged copy");
    }

    [Fact]
    public async Task A_checkpoint_signed_with_another_key_is_refused_for_its_signature_before_criu_sees_it()
    {
        var (jobId, bundle) = await RunningJobWithCheckpoint(1);
        var beforeRestore = (await Published<NodeHeartbeat>(m => m.Samples.Any(s => s.JobId == jobId))).Samples.Single(s => s.JobId == jobId).Pid;
        TestBundles.Resign(bundle, new HmacManifestSigner(TestBundles.OtherKey));

        Assert.Equal($"checkpoint 1 of job {jobId} refused: bad signature: the signature does not match: the manifest was changed after signing, or signed with another platform key",
            await RestoreRefusal(jobId, 1));
        var refusedAt = DateTimeOffset.UtcNow;
        Assert.False(File.Exists(Path.Combine(_directory.Path, "jobs", jobId, "restore.log")), "CRIU never ran a restore");
        var after = await Published<NodeHeartbeat>(m => m.Samples.Any(s => s.JobId == jobId) && m.At > refusedAt);
        Assert.Equal(beforeRestore, after.Samples.Single(s => s.JobId == jobId).Pid);
    }

    [Fact]
    public async Task An_unsigned_checkpoint_is_refused()
    {
        var (jobId, bundle) = await RunningJobWithCheckpoint(1);
        TestBundles.Write(bundle, TestBundles.Read(bundle), new UnsigningSigner());

        Assert.Equal($"checkpoint 1 of job {jobId} refused: bad signature: the manifest is not signed", await RestoreRefusal(jobId, 1));
    }

    [Fact]
    public async Task A_checkpoint_from_a_node_with_a_cpu_flag_this_node_lacks_is_refused_naming_the_flag()
    {
        var (jobId, bundle) = await RunningJobWithCheckpoint(1);
        var manifest = TestBundles.Read(bundle);
        // As if taken on a bigger machine of the platform: properly signed, with one flag more than this CPU has.
        TestBundles.Write(bundle, manifest with { CpuModel = "Bigger CPU", CpuFlags = [.. manifest.CpuFlags, "caas_imaginary_flag"] }, new HmacManifestSigner(File.ReadAllBytes(KeyFile)));

        var expected = $"checkpoint 1 of job {jobId} refused: this node's CPU ({Engine.Cpu.CpuInfo.ReadThisNode().Model}) lacks 1 CPU flag(s) that the image's node (Bigger CPU) had: caas_imaginary_flag";
        Assert.Equal(expected, await _host.Services.GetRequiredService<NodeJobs>().CheckRestorableAsync(jobId, 1, CancellationToken.None));
        Assert.Equal(expected, await RestoreRefusal(jobId, 1));
        Assert.False(File.Exists(Path.Combine(_directory.Path, "jobs", jobId, "restore.log")), "CRIU never ran a restore");
    }

    [Fact]
    public async Task A_checkpoint_written_by_a_newer_major_engine_is_refused()
    {
        var (jobId, bundle) = await RunningJobWithCheckpoint(1);
        TestBundles.Write(bundle, TestBundles.Read(bundle) with { Engine = "criu 5.0.0" }, new HmacManifestSigner(File.ReadAllBytes(KeyFile)));

        var reason = await RestoreRefusal(jobId, 1);
        Assert.Matches($@"^checkpoint 1 of job {jobId} refused: this node's engine \(criu 4\.2[0-9.]*\) is an older major version than the image's \(criu 5\.0\.0\)$", reason);
    }

    [Fact]
    public async Task A_signed_checkpoint_whose_working_directory_is_not_a_directory_of_its_job_is_refused_and_writes_nothing()
    {
        var (jobId, bundle) = await RunningJobWithCheckpoint(1);
        var manifest = TestBundles.Read(bundle);
        Assert.Equal(Path.Combine(_directory.Path, "jobs", jobId), manifest.WorkingDirectory);
        var elsewhere = Path.Combine(_directory.Path, "elsewhere");
        TestBundles.Write(bundle, manifest with { WorkingDirectory = elsewhere }, new HmacManifestSigner(File.ReadAllBytes(KeyFile)));

        var reason = await RestoreRefusal(jobId, 1);

        Assert.Equal($"checkpoint 1 of job {jobId} refused: its working directory {elsewhere} is not a job directory of {jobId}", reason);
        Assert.False(Directory.Exists(elsewhere));
    }

    [Fact]
    public async Task After_each_checkpoint_only_the_last_k_of_the_job_and_what_they_depend_on_are_kept()
    {
        var (jobId, _) = await RunningJobWithCheckpoint(1);
        for (var sequence = 2; sequence <= 4; sequence++)
        {
            await Send(new CheckpointJob(jobId, Node, sequence, LeaveRunning: true));
            await Published<CheckpointCompleted>(m => m.JobId == jobId && m.Checkpoint.Sequence == sequence);
            // 1 full, 2 on 1, 3 full, 4 on 3: after 3, checkpoint 1 stays because the kept 2 needs it.
            if (sequence == 3)
                Assert.Equal(["1", "2", "3"], Directory.GetDirectories(Path.Combine(_directory.Path, "checkpoints", jobId)).Select(Path.GetFileName).Order());
        }

        Assert.Equal(["3", "4"], Directory.GetDirectories(Path.Combine(_directory.Path, "checkpoints", jobId)).Select(Path.GetFileName).Order());
        var incident = Guid.NewGuid();
        await Send(new RestoreJob(jobId, Node, incident, 4, Node));
        Assert.Equal(4, (await Published<RestoreCompleted>(m => m.IncidentId == incident)).Sequence);
    }

    /// <summary>What a bundle from before signing, or from an attacker without any key, carries.</summary>
    private sealed class UnsigningSigner : IManifestSigner
    {
        public string? Sign(ReadOnlySpan<byte> canonicalManifest) => null;

        public string? Check(ReadOnlySpan<byte> canonicalManifest, string? signature) => null;
    }

    [Fact]
    public async Task Commands_for_another_node_are_ignored()
    {
        var jobId = JobIds.New();
        await Send(new LaunchJob(jobId, "node-b", CounterSpec()));
        await Send(new CheckpointJob(jobId, Node, 1, LeaveRunning: true));

        await Published<CheckpointRejected>(m => m.JobId == jobId);
        // Both commands sit on one queue; the rejection of the second means the first was consumed, give its handler a moment anyway.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Empty(PublishedSoFar<JobLaunched>(m => m.JobId == jobId));
        Assert.Empty(PublishedSoFar<LaunchRejected>(m => m.JobId == jobId));
    }

    [Fact]
    public async Task A_restarted_agent_reattaches_to_running_jobs_and_reports_those_that_ended_meanwhile()
    {
        var running = JobIds.New();
        var ending = JobIds.New();
        await Send(new LaunchJob(running, Node, CounterSpec()));
        await Send(new LaunchJob(ending, Node, new JobSpec { Command = "/bin/sh", Args = ["-c", "sleep 2; exit 3"] }));
        var launched = await Published<JobLaunched>(m => m.JobId == running);
        await Published<JobLaunched>(m => m.JobId == ending);

        await _host.StopAsync();
        _host.Dispose();
        await Task.Delay(TimeSpan.FromSeconds(3));
        (_host, _harness) = await StartAgent();

        var exited = await Published<JobProcessExited>(m => m.JobId == ending);
        Assert.Equal((3, (int?)null), (exited.ExitCode, exited.Signal));
        var beat = await Published<NodeHeartbeat>(m => m.Samples.Any(s => s.JobId == running && s.Progress > 0));
        Assert.Equal(launched.Pid, Assert.Single(beat.Samples).Pid);
        Assert.Equal(1, beat.Node.RunningJobs);
    }

    [Fact]
    public async Task Retention_reports_the_checkpoints_it_pruned()
    {
        var jobId = JobIds.New();
        await Send(new LaunchJob(jobId, Node, CounterSpec()));
        await Published<JobLaunched>(m => m.JobId == jobId);

        // A full checkpoint every second: 1 full, 2 on 1, 3 full, 4 on 3; keeping the last 2 frees 1 and 2 only after the 4th.
        for (var sequence = 1; sequence <= 4; sequence++)
        {
            await Send(new CheckpointJob(jobId, Node, sequence, LeaveRunning: true));
            await Published<CheckpointCompleted>(m => m.JobId == jobId && m.Checkpoint.Sequence == sequence);
        }

        var pruned = await Published<CheckpointsPruned>(m => m.JobId == jobId);
        Assert.Equal([1, 2], pruned.Sequences);
        Assert.Equal((Node, CheckpointRemoval.Retention, "beyond the last 2 checkpoints"), (pruned.NodeId, pruned.Removal, pruned.Reason));
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "checkpoints", jobId, "1")));
        Assert.Single(PublishedSoFar<CheckpointsPruned>(m => m.JobId == jobId));
    }

    [Fact]
    public async Task Verify_refuses_a_tampered_bundle_and_deletion_removes_it_and_reports_it_gone()
    {
        var jobId = JobIds.New();
        await Send(new LaunchJob(jobId, Node, CounterSpec()));
        await Published<JobLaunched>(m => m.JobId == jobId);
        await Send(new CheckpointJob(jobId, Node, 1, LeaveRunning: true));
        await Published<CheckpointCompleted>(m => m.JobId == jobId);
        var bundle = Path.Combine(_directory.Path, "checkpoints", jobId, "1");
        var image = new DirectoryInfo(Path.Combine(bundle, "images")).EnumerateFiles().MaxBy(f => f.Length)!.FullName;
        await File.AppendAllTextAsync(image, "x");

        await Send(new VerifyCheckpoint(jobId, Node, 1));
        var failed = await Published<CheckpointVerificationEnded>(m => m.JobId == jobId);
        await Send(new DeleteCheckpoint(jobId, Node, 1));
        var deleted = await Published<CheckpointsPruned>(m => m.JobId == jobId);

        Assert.False(failed.Verified);
        Assert.StartsWith($"checkpoint 1 of job {jobId} refused:", failed.Reason);

        // A name that is not a job id never reaches the file system.
        var outside = Directory.CreateDirectory(_directory.Combine("outside-1"));
        await Send(new VerifyCheckpoint("../outside", Node, 1));
        var malformed = await Published<CheckpointVerificationEnded>(m => m.JobId == "../outside");
        Assert.Equal("'../outside' is not a job id (expected \"job-\" and 10 lower-case hex digits)", malformed.Reason);
        Assert.True(outside.Exists);
        Assert.Equal([1], deleted.Sequences);
        Assert.Equal(CheckpointRemoval.Operator, deleted.Removal);
        Assert.False(Directory.Exists(bundle));
    }

    [Fact]
    public async Task Verify_refuses_to_test_restore_a_job_that_holds_a_tcp_connection_running_or_in_its_image()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var jobId = JobIds.New();
        await Send(new LaunchJob(jobId, Node, new JobSpec { Command = "/usr/bin/bash", Args = ["-c", $"exec 3<>/dev/tcp/127.0.0.1/{port}; exec sleep 600"] }));
        await Published<JobLaunched>(m => m.JobId == jobId);
        using var accepted = await listener.AcceptTcpClientAsync();
        await Send(new CheckpointJob(jobId, Node, 1, LeaveRunning: true));
        await Published<CheckpointCompleted>(m => m.JobId == jobId);

        await Send(new VerifyCheckpoint(jobId, Node, 1));
        var refused = await Published<CheckpointVerificationEnded>(m => m.JobId == jobId);

        Assert.False(refused.Verified);
        Assert.Equal($"checkpoint 1 of job {jobId} was not test-restored: the running job holds 1 TCP/UDP socket(s); a test copy would collide with its addresses and ports", refused.Reason);

        // Stopped, the job collides with nothing, but a copy would still talk to its real peer.
        await Send(new CheckpointJob(jobId, Node, 2, LeaveRunning: false));
        await Published<CheckpointCompleted>(m => m.JobId == jobId && m.Checkpoint.Sequence == 2);
        await Send(new VerifyCheckpoint(jobId, Node, 2));
        var fromImage = await Published<CheckpointVerificationEnded>(m => m.JobId == jobId && m.Sequence == 2);

        Assert.Equal($"checkpoint 2 of job {jobId} was not test-restored: the image holds 1 established TCP connection(s); a test copy would talk to the job's real peers", fromImage.Reason);
    }
}
