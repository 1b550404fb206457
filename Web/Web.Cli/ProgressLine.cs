using System.Globalization;

namespace Caas.Web.Cli;

/// <summary>
/// A progress bar for long operations, written to standard error so standard output stays what scripts read. On a
/// terminal it redraws one line in place; otherwise (a pipe, a log, a test) it writes a line only when the step changes.
/// </summary>
public sealed class ProgressLine(TextWriter writer, bool interactive)
{
    public const int Width = 24;
    private string? last;

    public static ProgressLine For(TextWriter error) =>
        new(error, ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected);

    /// <param name="fraction">How far along, 0..1.</param>
    /// <param name="step">What happens now, e.g. "restoring on node-2".</param>
    public void Show(double fraction, string step, TimeSpan elapsed)
    {
        var text = $"{Bar(fraction)} {step}";
        if (interactive)
        {
            writer.Write($"\r{text} ({elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)\u001b[K");
            writer.Flush();
        }
        else if (text != last)
            writer.WriteLine(text);
        last = text;
    }

    /// <summary>Ends the redrawn line so what follows starts on its own.</summary>
    public void Done()
    {
        if (interactive && last is not null)
            writer.WriteLine();
    }

    public static string Bar(double fraction)
    {
        var filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * Width);
        return $"[{new string('#', filled)}{new string('.', Width - filled)}] {(Math.Clamp(fraction, 0, 1) * 100).ToString("0", CultureInfo.InvariantCulture),3}%";
    }
}
