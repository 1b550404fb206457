using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>
/// Request to the agent that runs (or last ran) a job: part of its captured output, answered with
/// <see cref="JobOutputRead"/>. Either the bytes from <paramref name="From"/> on (following a log), or, when From is
/// null, the last <paramref name="TailLines"/> lines; never more than <paramref name="MaxBytes"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReadJobOutput(
    [property: Id(0)] string NodeId,
    [property: Id(1)] string JobId,
    [property: Id(2)] JobOutputStream Stream,
    [property: Id(3)] long? From,
    [property: Id(4)] int TailLines,
    [property: Id(5)] int MaxBytes);
