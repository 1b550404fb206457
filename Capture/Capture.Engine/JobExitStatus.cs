namespace Caas.Capture.Engine;

/// <summary>How a job's root process ended: an exit code, a signal, an error the engine hit, or captured by a checkpoint that stopped it.</summary>
public sealed record JobExitStatus(int? ExitCode, int? Signal, string? Error, bool Checkpointed = false)
{
    public static readonly JobExitStatus StoppedByCheckpoint = new(null, null, null, Checkpointed: true);

    /// <summary>Parses the shim's exit file: "exited CODE", "signaled SIGNO", "error MESSAGE" or "checkpointed".</summary>
    /// <returns>Null when the text is none of these (e.g. still being written).</returns>
    public static JobExitStatus? Parse(string text)
    {
        var line = text.Trim();
        if (line == "checkpointed")
            return StoppedByCheckpoint;
        var space = line.IndexOf(' ');
        if (space < 0)
            return null;
        var word = line[..space];
        var rest = line[(space + 1)..].Trim();
        return word switch
        {
            "exited" when int.TryParse(rest, out var code) => new JobExitStatus(code, null, null),
            "signaled" when int.TryParse(rest, out var signal) => new JobExitStatus(null, signal, null),
            "error" => new JobExitStatus(null, null, rest.Length == 0 ? "unknown error" : rest),
            _ => null,
        };
    }

    public override string ToString() =>
        ExitCode is { } code ? $"exited with code {code}"
        : Signal is { } signal ? $"killed by signal {signal}"
        : Checkpointed ? "stopped by a checkpoint"
        : $"failed: {Error}";
}
