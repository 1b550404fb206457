namespace Caas.Contracts.Jobs;

/// <summary>What the platform knows of one rank of a distributed job; the job's own status folds these (docs/capture.md, "Distributed jobs").</summary>
public enum RankState
{
    /// <summary>Placed, not yet reported running.</summary>
    Placed = 0,
    Running = 1,
    /// <summary>Exited with status 0; the job completes when every rank has.</summary>
    Exited = 2,
    /// <summary>Exited non-zero or by a signal: the whole job fails.</summary>
    Failed = 3,
    /// <summary>Stopped by the platform (a kill, or a checkpoint that stopped the job); its checkpoint can bring it back.</summary>
    Stopped = 4,
    /// <summary>Its node was declared lost: the whole job is lost.</summary>
    Lost = 5,
}
