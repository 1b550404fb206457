using Caas.Capture.Agent;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Network;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Tests;

/// <summary>Bad input to the rank namespaces is refused with a clear message before any command runs, and nothing is created.</summary>
[Trait("Category", "Unit")]
public sealed class RankNamespacesTests
{
    private static RankNamespaces With(string bridge) =>
        new(Options.Create(new RankFabricOptions { Bridge = bridge }), Options.Create(new CaptureOptions()));

    [Theory]
    [InlineData("Upper-case", "'Upper-case' is not a rank namespace name (lower-case letters, digits and '-', at most 64)")]
    [InlineData("../escape", "'../escape' is not a rank namespace name (lower-case letters, digits and '-', at most 64)")]
    [InlineData("-leading-dash", "'-leading-dash' is not a rank namespace name (lower-case letters, digits and '-', at most 64)")]
    public async Task A_bad_name_is_refused(string name, string message)
    {
        var refused = await Assert.ThrowsAsync<CheckpointEngineException>(() => With("br0").CreateAsync(name, "198.18.21.10", locked: false));

        Assert.Equal(message, refused.Message);
        Assert.False(File.Exists($"/run/netns/{name}"));
    }

    [Theory]
    [InlineData("198.18.21")]
    [InlineData("198.18.21.300")]
    [InlineData("fe80::1")]
    [InlineData("010.1.1.1")]
    public async Task A_bad_address_is_refused_and_no_namespace_is_made(string address)
    {
        var name = $"caas-unit-{Guid.NewGuid():N}"[..24];

        var refused = await Assert.ThrowsAsync<CheckpointEngineException>(() => With("br0").CreateAsync(name, address, locked: false));

        Assert.Equal($"'{address}' is not an IPv4 address", refused.Message);
        Assert.False(File.Exists(RankNamespaces.PathOf(name)));
    }

    [Fact]
    public async Task A_node_without_a_fabric_refuses_ranks_and_makes_no_namespace()
    {
        var name = $"caas-unit-{Guid.NewGuid():N}"[..24];

        var refused = await Assert.ThrowsAsync<CheckpointEngineException>(() => With("").CreateAsync(name, "198.18.21.10", locked: false));

        Assert.Equal("this node has no rank fabric (set Caas:Agent:RankFabric:Bridge)", refused.Message);
        Assert.False(File.Exists(RankNamespaces.PathOf(name)));
    }

    [Fact]
    public async Task Locking_a_namespace_that_does_not_exist_is_refused()
    {
        var refused = await Assert.ThrowsAsync<CheckpointEngineException>(() => With("br0").LockAsync("caas-unit-missing"));

        Assert.Equal("network namespace caas-unit-missing does not exist on this node", refused.Message);
    }

    [Fact]
    public void The_agent_binds_its_fabric_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Caas:Agent:RankFabric:Bridge"] = "caasfabric0",
            ["Caas:Agent:RankFabric:FabricNamespace"] = "/run/netns/fabric",
            ["Caas:Agent:RankFabric:PrefixLength"] = "22",
        }).Build();
        using var provider = new ServiceCollection().AddLogging().AddCaasAgent(configuration).BuildServiceProvider();

        var fabric = provider.GetRequiredService<IOptions<RankFabricOptions>>().Value;

        Assert.Equal(("caasfabric0", "/run/netns/fabric", 22), (fabric.Bridge, fabric.FabricNamespace, fabric.PrefixLength));
        Assert.NotNull(provider.GetRequiredService<RankNamespaces>());
    }
}
