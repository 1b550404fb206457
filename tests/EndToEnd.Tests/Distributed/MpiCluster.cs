namespace Caas.EndToEnd.Tests.Distributed;

/// <summary>Four real agents in 198.18.66.0/24: an Open MPI job of two ranks runs on the first two and is restored on the other two.</summary>
public sealed class MpiCluster : DistributedCluster
{
    public MpiCluster() : base("198.18.66", "dp", 4)
    {
    }
}
