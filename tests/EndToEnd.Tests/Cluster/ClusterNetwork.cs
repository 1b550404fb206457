using System.Text.RegularExpressions;

namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>
/// A bridge on the host at <see cref="BridgeAddress"/>/24 and one network namespace per node with a veth into it and an
/// address of its own, as if each node were its own host. Everything is named with the "cl" prefix and this run's id,
/// and deleted on dispose; leftovers of a run that crashed are deleted before a new bridge claims the subnet.
/// </summary>
public sealed partial class ClusterNetwork : IDisposable
{
    /// <summary>198.18.7.0/24, inside the benchmark range 198.18.0.0/15, used by these tests only.</summary>
    public const string Subnet = "198.18.7";
    public const string BridgeAddress = Subnet + ".1";
    private const string Prefix = "cl";

    private readonly string _runId;
    private readonly string _subnet;
    private readonly string _prefix;
    private readonly List<string> _namespaces = [];
    private bool _bridgeCreated;

    private ClusterNetwork(string runId, string subnet, string prefix)
    {
        _runId = runId;
        _subnet = subnet;
        _prefix = prefix;
    }

    public string Bridge => $"{_prefix}br{_runId}";

    /// <summary>The bridge's own address, the nodes' default route (and where they reach the broker).</summary>
    public string Gateway => $"{_subnet}.1";

    /// <param name="runId">A few hex digits; interface names must stay within 15 characters.</param>
    /// <param name="subnet">The first three bytes of a /24 of the test's own; <paramref name="prefix"/> (two letters) starts every name, and only the
    /// default "cl" network removes leftovers of crashed runs first (its names are this class's alone).</param>
    public static ClusterNetwork Create(string runId, string subnet = Subnet, string prefix = Prefix)
    {
        if (prefix == Prefix)
            RemoveLeftovers();
        var claimed = HostCommand.Run("ip", "-br", "-4", "addr");
        if (claimed.Contains($" {subnet}.", StringComparison.Ordinal))
            throw new InvalidOperationException($"Another interface on this host already has an address in {subnet}.0/24, which these tests need:\n{claimed}");
        var network = new ClusterNetwork(runId, subnet, prefix);
        try
        {
            HostCommand.Run("ip", "link", "add", network.Bridge, "type", "bridge");
            network._bridgeCreated = true;
            HostCommand.Run("ip", "addr", "add", $"{network.Gateway}/24", "dev", network.Bridge);
            HostCommand.Run("ip", "link", "set", network.Bridge, "up");
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>A namespace for one node with address SUBNET.<paramref name="host"/> and a default route via the bridge.</summary>
    /// <returns>The namespace's name; enter it with nsenter --net=/run/netns/NAME.</returns>
    public string AddNode(int host)
    {
        var name = $"{_prefix}{_runId}-n{host}";
        var outside = $"{_prefix}v{_runId}h{host}";
        var inside = $"{_prefix}v{_runId}n{host}";
        HostCommand.Run("ip", "netns", "add", name);
        _namespaces.Add(name);
        HostCommand.Run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside);
        HostCommand.Run("ip", "link", "set", outside, "master", Bridge);
        HostCommand.Run("ip", "link", "set", outside, "up");
        HostCommand.Run("ip", "link", "set", inside, "netns", name);
        InNamespace(name, "ip", "link", "set", "lo", "up");
        InNamespace(name, "ip", "link", "set", inside, "name", "eth0");
        InNamespace(name, "ip", "addr", "add", $"{_subnet}.{host}/24", "dev", "eth0");
        InNamespace(name, "ip", "link", "set", "eth0", "up");
        InNamespace(name, "ip", "route", "add", "default", "via", Gateway);
        return name;
    }

    public static string PathOf(string networkNamespace) => $"/run/netns/{networkNamespace}";

    /// <summary>Runs a tool inside the namespace, entering only its network (not ip netns exec, which also makes a mount namespace).</summary>
    public static string InNamespace(string networkNamespace, string file, params string[] arguments) =>
        HostCommand.Run("nsenter", [$"--net={PathOf(networkNamespace)}", file, .. arguments]);

    public void Dispose()
    {
        // Deleting a namespace deletes the veth end inside it, and with it the end on the bridge.
        foreach (var name in _namespaces)
            HostCommand.TryRun("ip", "netns", "delete", name);
        _namespaces.Clear();
        if (_bridgeCreated)
            HostCommand.TryRun("ip", "link", "delete", Bridge);
        _bridgeCreated = false;
    }

    private static void RemoveLeftovers()
    {
        foreach (var line in HostCommand.Run("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(' ')[0];
            if (OurNamespace().IsMatch(name))
                HostCommand.TryRun("ip", "netns", "delete", name);
        }
        foreach (var line in HostCommand.Run("ip", "-br", "link").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(' ', '@')[0];
            if (OurLink().IsMatch(name))
                HostCommand.TryRun("ip", "link", "delete", name);
        }
    }

    // Exactly the names this class makes (run ids are 4 hex digits); anything else with the prefix is not ours to delete.
    [GeneratedRegex("^cl[0-9a-f]{4}-n[0-9]+$")]
    private static partial Regex OurNamespace();

    [GeneratedRegex("^cl(br[0-9a-f]{4}|v[0-9a-f]{4}h[0-9]+)$")]
    private static partial Regex OurLink();
}
