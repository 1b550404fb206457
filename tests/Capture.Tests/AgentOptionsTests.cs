using Caas.Capture.Agent;

namespace Caas.Capture.Tests;

[Trait("Category", "Unit")]
public sealed class AgentOptionsTests
{
    [Fact]
    public void The_image_key_lives_beside_the_data_directory_unless_configured()
    {
        Assert.Equal("/var/lib/caas/image.key", new AgentOptions { DataDirectory = "/var/lib/caas/agent" }.ImageKeyPath);
        Assert.Equal("/srv/caas/image.key", new AgentOptions { DataDirectory = "/srv/caas/agent/" }.ImageKeyPath);
        Assert.Equal("/etc/caas/platform.key", new AgentOptions { ImageKeyFile = "/etc/caas/platform.key" }.ImageKeyPath);
    }

    [Fact]
    public void Retention_defaults_to_five_checkpoints_and_20_gib_per_job()
    {
        var retention = new AgentOptions().Retention;

        Assert.Equal(5, retention.KeepLast);
        Assert.Equal(20L * 1024 * 1024 * 1024, retention.MaxBytesPerJob);
        Assert.Empty(new AgentOptions().Problems());
    }

    [Fact]
    public void A_credential_that_enroll_did_not_make_is_refused_without_echoing_it_and_none_at_all_is_allowed()
    {
        Assert.Equal(["Caas:Agent:Credential is not a credential from `caas nodes enroll onprem-1` (those start with caasagent_)."],
            new AgentOptions { NodeId = "onprem-1", Credential = "pending-S3cret" }.Problems());
        Assert.Empty(new AgentOptions { NodeId = "onprem-1", Credential = " caasagent_0123456789abcdef " }.Problems());
        Assert.Empty(new AgentOptions { NodeId = "onprem-1", Credential = null }.Problems());
    }

    [Fact]
    public void A_lease_must_be_at_least_one_heartbeat_interval_and_shorter_than_the_node_lost_timeout()
    {
        AgentOptions With(double leaseSeconds) => new() { HeartbeatInterval = TimeSpan.FromSeconds(1), Lease = TimeSpan.FromSeconds(leaseSeconds) };

        Assert.Empty(With(2.5).Problems());
        Assert.Empty(new AgentOptions { Lease = null }.Problems());
        Assert.Equal(["Caas:Agent:Lease: the lease (00:00:03) must be shorter than the platform's node-lost timeout (00:00:03: 3 heartbeat intervals), or a job may be restored elsewhere while it still runs here."],
            With(3).Problems());
        Assert.Equal(["Caas:Agent:Lease: the lease (00:00:00.5000000) must be at least one heartbeat interval (00:00:01), or one late heartbeat ends every job."],
            With(0.5).Problems());
    }

    [Fact]
    public void Bad_key_path_and_retention_settings_are_named()
    {
        var options = new AgentOptions
        {
            ImageKeyFile = "keys/image.key",
            Retention = new RetentionOptions { KeepLast = 0, MaxBytesPerJob = 0 },
        };

        Assert.Equal(
            [
                "Caas:Agent:ImageKeyFile must be an absolute path.",
                "Caas:Agent:Retention:KeepLast must be at least 1.",
                "Caas:Agent:Retention:MaxBytesPerJob must be positive.",
            ],
            options.Problems());
    }

    [Fact]
    public void Capacity_defaults_to_this_machine_and_labels_to_none()
    {
        var options = new AgentOptions();

        Assert.Equal(Environment.ProcessorCount, options.Cores);
        var memTotalKib = long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        Assert.Equal(memTotalKib * 1024, options.MemoryBytes);
        Assert.Empty(options.Labels);
    }

    [Fact]
    public void Bad_identity_capacity_and_labels_are_named()
    {
        var options = new AgentOptions
        {
            Pool = "cloud a",
            Cores = 0,
            MemoryBytes = 0,
            Labels = new Dictionary<string, string> { ["gpu"] = "a100", ["zone"] = "eu 1" },
        };

        Assert.Equal(
            [
                "Caas:Agent:Pool must be letters, digits, '-', '_' or '.', not \"cloud a\".",
                "Caas:Agent:Cores must be at least 1.",
                "Caas:Agent:MemoryBytes must be positive.",
                "'Caas:Agent:Labels' label zone has value \"eu 1\"; values must be 1 to 63 letters, digits, '-', '_' or '.'.",
            ],
            options.Problems());
    }
}
