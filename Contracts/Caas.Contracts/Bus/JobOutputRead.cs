using Caas.Contracts.Jobs;

namespace Caas.Contracts.Bus;

/// <summary>
/// An agent's answer to <see cref="ReadJobOutput"/>: the text of bytes [Start, End) of the output file (whole lines,
/// unless one line alone is longer than the request allows), and Length, the file's size when read, so a reader knows
/// whether more is there. Exists is false when the node holds no output of the job.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record JobOutputRead(
    [property: Id(0)] string NodeId,
    [property: Id(1)] string JobId,
    [property: Id(2)] JobOutputStream Stream,
    [property: Id(3)] bool Exists,
    [property: Id(4)] long Start,
    [property: Id(5)] long End,
    [property: Id(6)] long Length,
    [property: Id(7)] string Text);
