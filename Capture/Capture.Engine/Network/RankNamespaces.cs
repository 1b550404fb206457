using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Engine.Network;

/// <summary>
/// Creates, locks, unlocks and deletes the network namespaces that distributed jobs' ranks run in. Each namespace has one
/// interface, eth0, with the rank's address, on a veth whose other end joins the fabric bridge; so a rank restored on
/// another node, in a fresh namespace with the same address, is reachable at the same place and CRIU's
/// --tcp-established brings its connections back.
/// The lock drops every packet in and out of the namespace except on loopback (CRIU talks over loopback while it
/// starts). It is ours, not CRIU's: CRIU adds and removes its own lock around each dump and restore of one rank, but a
/// consistent image set of several ranks needs all of them locked from before the first dump until after the last
/// one, and a restore needs them locked until every rank is back (a rank's address answering before its sockets are
/// restored would reset its peers' connections).
/// </summary>
public sealed partial class RankNamespaces(IOptions<RankFabricOptions> fabric, IOptions<CaptureOptions> capture)
{
    private const string LockComment = "caas-rank-lock";
    private readonly RankFabricOptions _fabric = fabric.Value;
    private readonly TimeSpan _timeout = capture.Value.CommandTimeout;

    public static string PathOf(string name) => $"/run/netns/{name}";

    public bool Exists(string name) => File.Exists(PathOf(RequireName(name)));

    /// <summary>A namespace named <paramref name="name"/> with <paramref name="address"/> on the fabric, locked when asked (as for a restore).</summary>
    public async Task<RankNamespace> CreateAsync(string name, string address, bool locked, CancellationToken cancellationToken = default)
    {
        RequireName(name);
        RequireAddress(address);
        if (string.IsNullOrEmpty(_fabric.Bridge))
            throw new CheckpointEngineException("this node has no rank fabric (set Caas:Agent:RankFabric:Bridge)");
        if (Exists(name))
            throw new CheckpointEngineException($"network namespace {name} already exists on this node");
        var (outside, inside) = VethNames(name);
        await RunAsync("ip", ["netns", "add", name], cancellationToken);
        try
        {
            await InFabricAsync(["ip", "link", "add", outside, "type", "veth", "peer", "name", inside, "netns", name], cancellationToken);
            await PinBridgeAddressAsync(cancellationToken);
            await InFabricAsync(["ip", "link", "set", outside, "master", _fabric.Bridge, "up"], cancellationToken);
            await InsideAsync(name, ["ip", "link", "set", "lo", "up"], cancellationToken);
            await InsideAsync(name, ["ip", "link", "set", inside, "name", "eth0"], cancellationToken);
            await InsideAsync(name, ["ip", "addr", "add", $"{address}/{_fabric.PrefixLength}", "dev", "eth0"], cancellationToken);
            if (locked)
                await LockAsync(name, cancellationToken);
            await InsideAsync(name, ["ip", "link", "set", "eth0", "up"], cancellationToken);
            return new RankNamespace(name, address);
        }
        catch
        {
            // The first failure is the one to report, not a failure to clean up after it.
            try
            {
                await DeleteAsync(name, CancellationToken.None);
            }
            catch (CheckpointEngineException)
            {
            }
            throw;
        }
    }

    /// <summary>
    /// Fixes the bridge's MAC address at the one it has. A Linux bridge whose address was never set takes the lowest of
    /// its ports' addresses, so a rank's veth joining or leaving would change it; every neighbour that talks to the
    /// bridge's own IP address (the nodes' agents reaching the broker through it, in the tests and in `caas up
    /// --cluster`) then sends to a stale MAC until its ARP entry expires, tens of seconds of silence. Setting the
    /// address, even to the same value, makes the kernel keep it. Idempotent; cheap enough to do for every rank.
    /// </summary>
    private async Task PinBridgeAddressAsync(CancellationToken cancellationToken)
    {
        var shown = await InFabricAsync(["ip", "-o", "link", "show", "dev", _fabric.Bridge], cancellationToken);
        var mac = BridgeMac().Match(shown);
        if (!mac.Success)
            throw new CheckpointEngineException($"the fabric bridge {_fabric.Bridge} has no Ethernet address: {shown.Trim()}");
        await InFabricAsync(["ip", "link", "set", "dev", _fabric.Bridge, "address", mac.Groups[1].Value], cancellationToken);
    }

    /// <summary>Stops all traffic in and out of the namespace (loopback excepted); a second lock is a no-op.</summary>
    public async Task LockAsync(string name, CancellationToken cancellationToken = default)
    {
        RequireExisting(name);
        if (await IsLockedAsync(name, cancellationToken))
            return;
        foreach (var rule in LockRules())
            await InsideAsync(name, ["iptables", "-w", "-I", .. rule], cancellationToken);
    }

    /// <summary>Lets traffic flow again; unlocking an unlocked namespace is a no-op.</summary>
    public async Task UnlockAsync(string name, CancellationToken cancellationToken = default)
    {
        RequireExisting(name);
        if (!await IsLockedAsync(name, cancellationToken))
            return;
        foreach (var rule in LockRules())
            await InsideAsync(name, ["iptables", "-w", "-D", .. rule], cancellationToken);
    }

    public async Task<bool> IsLockedAsync(string name, CancellationToken cancellationToken = default)
    {
        RequireExisting(name);
        var rules = await InsideAsync(name, ["iptables", "-w", "-S"], cancellationToken);
        return rules.Contains(LockComment, StringComparison.Ordinal);
    }

    /// <summary>Deletes the namespace and its veth on the bridge; a missing one is not an error.</summary>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!Exists(name))
            return;
        // The veth goes first and explicitly: the namespace itself lives on after `ip netns delete` while sockets of a
        // killed rank still retransmit in it (a locked FIN is never answered), and its eth0 would keep the rank's
        // address on the fabric, answering ARP, next to the restored rank.
        var veth = await ExternalCommand.RunAsync("nsenter", [$"--net={PathOf(name)}", "ip", "link", "delete", "eth0"], _timeout, cancellationToken: cancellationToken);
        if (veth.ExitCode != 0 && !veth.StandardError.Contains("Cannot find device", StringComparison.Ordinal) && Exists(name))
            throw new CheckpointEngineException($"cannot delete the interface of network namespace {name}: {veth.Explanation()}");
        try
        {
            await RunAsync("ip", ["netns", "delete", name], cancellationToken);
        }
        catch (CheckpointEngineException) when (!Exists(name))
        {
            // Deleted meanwhile by someone else (the agent frees an ended rank's namespace in the background): gone is what was wanted.
        }
    }

    private static IEnumerable<string[]> LockRules() =>
    [
        ["INPUT", "!", "-i", "lo", "-m", "comment", "--comment", LockComment, "-j", "DROP"],
        ["OUTPUT", "!", "-o", "lo", "-m", "comment", "--comment", LockComment, "-j", "DROP"],
    ];

    /// <summary>Interface names hold 15 characters, so they come from a hash of the namespace's name.</summary>
    private static (string Outside, string Inside) VethNames(string name)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..10];
        return ($"rk{hash}", $"rk{hash}e");
    }

    private Task<string> InFabricAsync(string[] command, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(_fabric.FabricNamespace)
            ? RunAsync(command[0], command[1..], cancellationToken)
            : RunAsync("nsenter", [$"--net={_fabric.FabricNamespace}", .. command], cancellationToken);

    // nsenter enters only the network namespace: `ip netns exec` would also make a mount namespace.
    private Task<string> InsideAsync(string name, string[] command, CancellationToken cancellationToken) =>
        RunAsync("nsenter", [$"--net={PathOf(name)}", .. command], cancellationToken);

    private async Task<string> RunAsync(string file, string[] arguments, CancellationToken cancellationToken)
    {
        var result = await ExternalCommand.RunAsync(file, arguments, _timeout, cancellationToken: cancellationToken);
        if (result.ExitCode != 0)
            throw new CheckpointEngineException($"{file} {string.Join(' ', arguments)} failed: {result.Explanation()}");
        return result.StandardOutput;
    }

    private void RequireExisting(string name)
    {
        if (!Exists(name))
            throw new CheckpointEngineException($"network namespace {name} does not exist on this node");
    }

    private static string RequireName(string name) =>
        NamespaceName().IsMatch(name) ? name
        : throw new CheckpointEngineException($"'{name}' is not a rank namespace name (lower-case letters, digits and '-', at most 64)");

    private static void RequireAddress(string address)
    {
        if (!IPAddress.TryParse(address, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetwork || parsed.ToString() != address)
            throw new CheckpointEngineException($"'{address}' is not an IPv4 address");
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex NamespaceName();

    [GeneratedRegex(@"link/ether ([0-9a-f]{2}(?::[0-9a-f]{2}){5})")]
    private static partial Regex BridgeMac();
}
