namespace Caas.Capture.Engine.Network;

/// <summary>
/// Where the network namespaces of distributed jobs' ranks are plugged in: a bridge on the shared fabric that every node
/// reaches, so that a rank's address works wherever the rank runs. Bound from "Caas:Agent:RankFabric".
/// </summary>
public sealed class RankFabricOptions
{
    /// <summary>The bridge each rank's veth joins; empty when this node runs no ranks.</summary>
    public string Bridge { get; set; } = "";

    /// <summary>
    /// The network namespace the bridge lives in (a path, as nsenter --net takes it, e.g. /run/netns/fabric); empty for
    /// the agent's own, as when the agent runs in the host's namespace next to the bridge.
    /// </summary>
    public string FabricNamespace { get; set; } = "";

    /// <summary>Prefix length of the ranks' addresses on the fabric.</summary>
    public int PrefixLength { get; set; } = 24;
}
