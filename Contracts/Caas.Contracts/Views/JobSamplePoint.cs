namespace Caas.Contracts.Views;

/// <summary>One heartbeat of a job as its charts plot it: cumulative CPU time, resident memory and reported progress at a moment.</summary>
[GenerateSerializer, Immutable]
public sealed record JobSamplePoint(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] double CpuSeconds,
    [property: Id(2)] long RssBytes,
    [property: Id(3)] double? Progress);
