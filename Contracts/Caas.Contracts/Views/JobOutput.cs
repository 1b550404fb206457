using Caas.Contracts.Jobs;

namespace Caas.Contracts.Views;

/// <summary>
/// Part of a job's stdout or stderr as the agent on <see cref="NodeId"/> captured it: <see cref="Text"/> is bytes
/// [<see cref="Start"/>, <see cref="End"/>) of the file, <see cref="Length"/> its size when read (End &lt; Length:
/// more to read now). To follow the output, ask again from End. Running says whether more may still come. NodeId is
/// null (and Text empty) when the job has not been placed on a node yet; <see cref="Note"/> then says why nothing is shown.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record JobOutput
{
    [Id(0)] public required string JobId { get; init; }
    [Id(1)] public string? NodeId { get; init; }
    [Id(2)] public JobOutputStream Stream { get; init; }
    [Id(3)] public long Start { get; init; }
    [Id(4)] public long End { get; init; }
    [Id(5)] public long Length { get; init; }
    [Id(6)] public string Text { get; init; } = "";
    [Id(7)] public bool Running { get; init; }
    [Id(8)] public string? Note { get; init; }
}
