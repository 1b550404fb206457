using System.Text.RegularExpressions;

namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>
/// A bridge on the host at <see cref="BridgeAddress"/>/24 and one network namespace per node with a veth into it and an
/// address of its own, as if each node were its own host. Everything is named with the network's two-letter prefix
/// and this run's id, and deleted on dispose; leftovers of a run that crashed are deleted before a new bridge claims
/// the subnet. Each kind of cluster has its own prefix and subnet, so test classes that run at once never collide.
/// </summary>
public sealed class ClusterNetwork : IDisposable
{
    /// <summary>198.18.7.0/24, inside the benchmark range 198.18.0.0/15, used by <see cref="ClusterPlatform"/> only.</summary>
    public const string DefaultSubnet = "198.18.7";
    public const string DefaultPrefix = "cl";

    private readonly string _runId;
    private readonly List<string> _namespaces = [];
    private bool _bridgeCreated;

    private ClusterNetwork(string runId, string subnet, string prefix)
    {
        _runId = runId;
        Subnet = subnet;
        Prefix = prefix;
    }

    /// <summary>The first three bytes of the /24, e.g. "198.18.7".</summary>
    public string Subnet { get; }
    /// <summary>Two lower-case letters that start every name this network makes.</summary>
    public string Prefix { get; }
    public string BridgeAddress => Subnet + ".1";
    public string Bridge => $"{Prefix}br{_runId}";

    /// <param name="runId">A few hex digits; interface names must stay within 15 characters.</param>
    public static ClusterNetwork Create(string runId, string subnet = DefaultSubnet, string prefix = DefaultPrefix)
    {
        if (prefix.Length != 2 || !prefix.All(char.IsAsciiLetterLower))
            throw new ArgumentException($"The prefix must be two lower-case letters, not \"{prefix}\".", nameof(prefix));
        RemoveLeftovers(prefix);
        var claimed = HostCommand.Run("ip", "-br", "-4", "addr");
        if (claimed.Contains($" {subnet}.", StringComparison.Ordinal))
            throw new InvalidOperationException($"Another interface on this host already has an address in {subnet}.0/24, which these tests need:\n{claimed}");
        var network = new ClusterNetwork(runId, subnet, prefix);
        try
        {
            HostCommand.Run("ip", "link", "add", network.Bridge, "type", "bridge");
            network._bridgeCreated = true;
            // A bridge whose address was never set takes its lowest port's: each node veth added later would change it,
            // and agents already talking to the broker through the bridge would send to a stale MAC until ARP expires.
            var mac = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(network.Bridge));
            HostCommand.Run("ip", "link", "set", network.Bridge, "address", $"02:{mac[0]:x2}:{mac[1]:x2}:{mac[2]:x2}:{mac[3]:x2}:{mac[4]:x2}");
            HostCommand.Run("ip", "addr", "add", $"{network.BridgeAddress}/24", "dev", network.Bridge);
            HostCommand.Run("ip", "link", "set", network.Bridge, "up");
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>A namespace for one node with address <see cref="Subnet"/>.<paramref name="host"/> and a default route via the bridge.</summary>
    /// <returns>The namespace's name; enter it with nsenter --net=/run/netns/NAME.</returns>
    public string AddNode(int host)
    {
        var name = $"{Prefix}{_runId}-n{host}";
        var outside = $"{Prefix}v{_runId}h{host}";
        var inside = $"{Prefix}v{_runId}n{host}";
        HostCommand.Run("ip", "netns", "add", name);
        _namespaces.Add(name);
        HostCommand.Run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside);
        HostCommand.Run("ip", "link", "set", outside, "master", Bridge);
        HostCommand.Run("ip", "link", "set", outside, "up");
        HostCommand.Run("ip", "link", "set", inside, "netns", name);
        InNamespace(name, "ip", "link", "set", "lo", "up");
        InNamespace(name, "ip", "link", "set", inside, "name", "eth0");
        InNamespace(name, "ip", "addr", "add", $"{Subnet}.{host}/24", "dev", "eth0");
        InNamespace(name, "ip", "link", "set", "eth0", "up");
        InNamespace(name, "ip", "route", "add", "default", "via", BridgeAddress);
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

    private static void RemoveLeftovers(string prefix)
    {
        // Exactly the names this class makes with this prefix (run ids are 4 hex digits); anything else is not ours to delete.
        var ourNamespace = new Regex($"^{prefix}[0-9a-f]{{4}}-n[0-9]+$");
        var ourLink = new Regex($"^{prefix}(br[0-9a-f]{{4}}|v[0-9a-f]{{4}}h[0-9]+)$");
        foreach (var line in HostCommand.Run("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(' ')[0];
            if (ourNamespace.IsMatch(name))
                HostCommand.TryRun("ip", "netns", "delete", name);
        }
        foreach (var line in HostCommand.Run("ip", "-br", "link").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(' ', '@')[0];
            if (ourLink.IsMatch(name))
                HostCommand.TryRun("ip", "link", "delete", name);
        }
    }
}
