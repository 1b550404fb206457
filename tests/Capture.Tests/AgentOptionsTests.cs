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
