namespace Caas.Capture.Agent.Ranks;

/// <summary>
/// A rank's share of coordinated checkpoint S of distributed job J is an ordinary signed bundle of J on its agent, numbered
/// S × <see cref="MaxRanks"/> + rank (checkpoint 3 of rank 2 is bundle 3002). So the agent-to-agent transfer, its tokens,
/// its resumption and its verification move rank bundles unchanged, and the job's bundles of different ranks never collide
/// on an agent that holds several. A distributed job has no ordinary checkpoints, so nothing else is numbered there.
/// </summary>
public static class RankBundles
{
    /// <summary>Ranks of one job are numbered 0 to <see cref="MaxRanks"/> − 1.</summary>
    public const int MaxRanks = 1000;

    /// <summary>The highest coordinated checkpoint whose bundle numbers still fit an int.</summary>
    public const int MaxCheckpoint = int.MaxValue / MaxRanks - 1;

    /// <exception cref="ArgumentOutOfRangeException">A rank or checkpoint outside the numbering.</exception>
    public static int Sequence(int checkpoint, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(checkpoint, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(checkpoint, MaxCheckpoint);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, MaxRanks);
        return checkpoint * MaxRanks + rank;
    }
}
