using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>Agent report: the job runs again from checkpoint Sequence. Duration: from the request to the job running (verifying and rebuilding the image, the engine's restore).</summary>
[GenerateSerializer, Immutable]
public sealed record RestoreCompleted([property: Id(0)] string JobId, [property: Id(1)] string NodeId, [property: Id(2)] Guid IncidentId, [property: Id(3)] int Sequence, [property: Id(4)] int Pid, [property: Id(5)] DateTimeOffset At,
    [property: Id(100)] TimeSpan Duration = default);
