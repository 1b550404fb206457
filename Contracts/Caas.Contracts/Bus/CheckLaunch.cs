using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>
/// Request to one agent, before a job is recorded: could you launch this spec (the executable exists
/// and may be run, the working directory exists)? Answered with <see cref="LaunchCheckResult"/>, so a
/// submit of a job that cannot start is refused and changes nothing.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CheckLaunch([property: Id(0)] string NodeId, [property: Id(1)] JobSpec Spec);
