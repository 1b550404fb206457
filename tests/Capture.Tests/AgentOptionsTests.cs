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
}
