using Caas.Capture.Agent;
using Caas.Capture.Agent.Transfer;

namespace Caas.Capture.Tests;

/// <summary>Transfer settings an agent refuses to start with, each named with its key.</summary>
[Trait("Category", "Unit")]
public sealed class TransferOptionsTests
{
    private static IReadOnlyList<string> Problems(TransferOptions transfer) =>
        new AgentOptions { DataDirectory = "/tmp/caas-agent", Transfer = transfer }.Problems();

    [Fact]
    public void The_server_is_off_by_default_and_that_is_valid()
    {
        Assert.Null(new AgentOptions().Transfer.ListenUrl);
        Assert.Empty(Problems(new TransferOptions()));
        Assert.Empty(Problems(new TransferOptions { ListenUrl = "http://127.0.0.2:0", AdvertisedUrl = "https://node-b.example:7443" }));
        Assert.Single(Problems(new TransferOptions { ListenUrl = "https://127.0.0.2:0" }));
    }

    [Fact]
    public void Unusable_transfer_settings_are_each_named()
    {
        var problems = Problems(new TransferOptions
        {
            ListenUrl = "127.0.0.2:7070",
            AdvertisedUrl = "ftp://node-b",
            TokenLifetime = TimeSpan.Zero,
            MaxAttempts = 0,
            FirstRetryDelay = TimeSpan.FromSeconds(-1),
            StallTimeout = TimeSpan.Zero,
        });

        Assert.Equal(
        [
            "Caas:Agent:Transfer:ListenUrl must be an http:// URL with a host and port, e.g. http://127.0.0.1:0, not \"127.0.0.2:7070\".",
            "Caas:Agent:Transfer:AdvertisedUrl must be an http:// or https:// URL, not \"ftp://node-b\".",
            "Caas:Agent:Transfer:TokenLifetime must be positive.",
            "Caas:Agent:Transfer:MaxAttempts must be at least 1.",
            "Caas:Agent:Transfer:FirstRetryDelay must not be negative.",
            "Caas:Agent:Transfer:StallTimeout must be positive.",
        ], problems);
    }
}
