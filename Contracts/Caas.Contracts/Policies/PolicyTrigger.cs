namespace Caas.Contracts.Policies;

/// <summary>What happened to a job that a recovery policy answers.</summary>
public enum PolicyTrigger
{
    Stall = 0,
    Starvation = 1,
    NodeLost = 2,
    Failure = 3,
}
