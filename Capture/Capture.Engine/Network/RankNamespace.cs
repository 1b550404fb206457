namespace Caas.Capture.Engine.Network;

/// <summary>A rank's network namespace: its name under /run/netns and the address it carries on the fabric.</summary>
public sealed record RankNamespace(string Name, string Address)
{
    /// <summary>What nsenter --net and the engine take.</summary>
    public string Path => RankNamespaces.PathOf(Name);
}
