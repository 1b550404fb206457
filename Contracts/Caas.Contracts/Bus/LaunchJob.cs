using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>
/// Command to one agent: start this job now. Epoch is the placement's fencing number (0: not given): the agent reports
/// it in every sample of the job, and the platform kills a copy whose epoch is older than the job's.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LaunchJob([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] JobSpec Spec, [property: Id(140)] long Epoch = 0);
