using Caas.Capture.Engine;
using Caas.Capture.Engine.Network;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Tests;

/// <summary>Rank namespaces made, locked, unlocked and deleted for real, on a bridge of the test's own.</summary>
[Trait("Category", "EndToEnd")]
public sealed class RankNamespaceLifecycleTests : IAsyncLifetime
{
    private RankFabric _fabric = null!;

    public Task InitializeAsync()
    {
        _fabric = new RankFabric();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _fabric.DisposeAsync();

    [Fact]
    public async Task A_namespace_carries_its_address_on_the_bridge_and_locks_and_unlocks_idempotently()
    {
        var name = _fabric.Name("l", 0);

        var created = await _fabric.Namespaces.CreateAsync(name, _fabric.AddressOf(0), locked: true);

        Assert.Equal(RankNamespaces.PathOf(name), created.Path);
        Assert.Contains($"inet {_fabric.AddressOf(0)}/24", RankFabric.Run("nsenter", $"--net={created.Path}", "ip", "-4", "addr", "show", "eth0"));
        Assert.Single(_fabric.Members());
        Assert.True(await _fabric.Namespaces.IsLockedAsync(name), "a namespace made for a restore starts locked");
        await _fabric.Namespaces.LockAsync(name);
        await _fabric.Namespaces.UnlockAsync(name);
        Assert.False(await _fabric.Namespaces.IsLockedAsync(name), "one unlock undoes the lock, however often it was asked for");
        await _fabric.Namespaces.UnlockAsync(name);
        Assert.DoesNotContain("caas-rank-lock", RankFabric.Run("nsenter", $"--net={created.Path}", "iptables", "-w", "-S"));

        await _fabric.Namespaces.DeleteAsync(name);

        Assert.False(_fabric.Namespaces.Exists(name));
        Assert.Empty(_fabric.Members());
    }

    [Fact]
    public async Task Ranks_joining_and_leaving_the_bridge_leave_its_address_alone()
    {
        // Neighbours reach the bridge's own IP address at its MAC: were it to follow the ports, they would go unheard
        // until their ARP entries expire (the first port always replaces an unset bridge address).
        var before = _fabric.Mac();

        var name = _fabric.Name("m", 0);
        await _fabric.Namespaces.CreateAsync(name, _fabric.AddressOf(0), locked: false);
        Assert.Equal(before, _fabric.Mac());

        await _fabric.Namespaces.DeleteAsync(name);
        Assert.Equal(before, _fabric.Mac());
    }

    [Fact]
    public async Task A_name_already_taken_is_refused_and_the_existing_namespace_is_left_alone()
    {
        var name = _fabric.Name("t", 0);
        await _fabric.Namespaces.CreateAsync(name, _fabric.AddressOf(0), locked: false);

        var refused = await Assert.ThrowsAsync<CheckpointEngineException>(() => _fabric.Namespaces.CreateAsync(name, _fabric.AddressOf(1), locked: false));

        Assert.Equal($"network namespace {name} already exists on this node", refused.Message);
        Assert.True(_fabric.Namespaces.Exists(name));
        Assert.Contains($"inet {_fabric.AddressOf(0)}/24", RankFabric.Run("nsenter", $"--net={RankNamespaces.PathOf(name)}", "ip", "-4", "addr", "show", "eth0"));
    }

    [Fact]
    public async Task A_missing_bridge_fails_the_creation_clearly_and_leaves_no_namespace()
    {
        var namespaces = new RankNamespaces(Options.Create(new RankFabricOptions { Bridge = "rknosuchbr" }), Options.Create(new CaptureOptions()));
        var name = _fabric.Name("m", 0);

        var refused = await Assert.ThrowsAsync<CheckpointEngineException>(() => namespaces.CreateAsync(name, _fabric.AddressOf(0), locked: false));

        Assert.Contains("rknosuchbr", refused.Message);
        Assert.False(namespaces.Exists(name), "the half-made namespace was removed");
    }
}
