namespace Caas.EndToEnd.Tests.Distributed;

/// <summary>Six real agents in 198.18.65.0/24: a ring of three ranks runs on the first three and is restored on the other three.</summary>
public sealed class MovingRingCluster : DistributedCluster
{
    public MovingRingCluster() : base("198.18.65", "dm", 6)
    {
    }
}
