using System.CommandLine;

namespace Caas.Web.Cli;

/// <summary>
/// `--wait` and `--timeout`, shared by every command that can follow what it started (checkpoint, suspend, resume,
/// migrate, restore, checkpoints verify), and the <see cref="OperationFollower"/> they set up.
/// </summary>
internal sealed class WaitOptions(TextWriter output, TextWriter error, TimeSpan? pollInterval)
{
    public const double MaxSeconds = 86_400;

    public Option<bool> Wait { get; } = new("--wait") { Description = "Follow the operation with a progress bar until it ends; exit 3 if it fails, 4 if --timeout passes first." };

    public Option<double> Timeout { get; } = new("--timeout") { Description = "Seconds --wait waits at most (default 600).", DefaultValueFactory = _ => 600 };

    /// <returns>Null without --wait.</returns>
    /// <exception cref="UsageException">--timeout is out of range; thrown before anything is asked of the platform.</exception>
    public OperationFollower? FollowerIfWaiting(PlatformApi api, ParseResult parse)
    {
        if (!parse.GetValue(Wait))
            return null;
        var seconds = parse.GetValue(Timeout);
        if (seconds is <= 0 or > MaxSeconds || double.IsNaN(seconds))
            throw new UsageException($"--timeout must be between 0 and {MaxSeconds:0} seconds; got {seconds}.");
        return new OperationFollower(api, ProgressLine.For(error), output, error, TimeSpan.FromSeconds(seconds), pollInterval);
    }
}
