using Caas.Contracts.Jobs;
using Caas.Contracts.Services;

namespace Caas.Contracts.Views;

/// <summary>What part of a job's output to read: from a byte offset on (to follow it), or else its last lines.</summary>
[GenerateSerializer, Immutable]
public sealed record JobOutputQuery
{
    public const int DefaultTailLines = 100;
    public const int MaxTailLines = 10_000;
    public const int DefaultMaxBytes = 64 * 1024;
    public const int MaxMaxBytes = 1024 * 1024;

    [Id(0)] public JobOutputStream Stream { get; init; } = JobOutputStream.Stdout;
    /// <summary>Byte offset to read on from (a previous answer's End); null for the last <see cref="TailLines"/> lines.</summary>
    [Id(1)] public long? From { get; init; }
    [Id(2)] public int TailLines { get; init; } = DefaultTailLines;
    [Id(3)] public int MaxBytes { get; init; } = DefaultMaxBytes;

    /// <exception cref="OperationRejectedException">Invalid, saying which value is out of range; nothing is read.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Stream))
            throw new OperationRejectedException(RejectionKind.Invalid, $"'stream' must be stdout or stderr; got {Stream}.");
        if (From is < 0)
            throw new OperationRejectedException(RejectionKind.Invalid, $"'from' must be a byte offset of 0 or more; got {From}.");
        if (TailLines is < 1 or > MaxTailLines)
            throw new OperationRejectedException(RejectionKind.Invalid, $"'tail' must be between 1 and {MaxTailLines} lines; got {TailLines}.");
        if (MaxBytes is < 1 or > MaxMaxBytes)
            throw new OperationRejectedException(RejectionKind.Invalid, $"'maxBytes' must be between 1 and {MaxMaxBytes}; got {MaxBytes}.");
    }
}
