namespace Caas.Monitoring.Grains.Starvation;

/// <summary>One heartbeat's worth of what a job's pace is judged on: its progress and the resources behind it.</summary>
[GenerateSerializer, Immutable]
public sealed record PacePoint(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] double Progress,
    [property: Id(2)] double CpuSeconds,
    [property: Id(3)] double? CpuThrottledSeconds,
    [property: Id(4)] long MajorFaults,
    [property: Id(5)] long SwapBytes,
    [property: Id(6)] double? IoWaitSeconds,
    [property: Id(7)] string State);
