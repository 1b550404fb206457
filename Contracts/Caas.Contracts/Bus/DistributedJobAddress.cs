namespace Caas.Contracts.Bus;

/// <summary>
/// Where the job grains send the work on the ranks of distributed jobs (<see cref="LaunchRanks"/>, <see cref="CheckpointRanks"/>,
/// <see cref="RestoreRanks"/>, <see cref="StopRanks"/>): one queue the platform hosts consume, so a step runs beside the
/// grains, not inside a grain call, and the grain hears the outcome when it ends.
/// </summary>
public static class DistributedJobAddress
{
    public const string QueueName = "caas-distributed-jobs";
    public static Uri Queue { get; } = new($"queue:{QueueName}");
}
