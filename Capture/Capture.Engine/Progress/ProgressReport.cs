using System.Globalization;
using System.Text;
using Caas.Contracts.Jobs;

namespace Caas.Capture.Engine.Progress;

/// <summary>
/// One message of the libcaas wire format: "caas1 JOBID progress FRACTION [MESSAGE]" or
/// "caas1 JOBID heartbeat". Fraction is null for a heartbeat.
/// </summary>
public sealed record ProgressReport(string JobId, double? Fraction, string? Message)
{
    public const string Magic = "caas1";
    public const int MaxMessageLength = 1024;

    /// <returns>Null when the datagram is not a well-formed report.</returns>
    public static ProgressReport? Parse(ReadOnlySpan<byte> datagram)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(datagram);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        text = text.TrimEnd('\n', '\r', '\0');
        var parts = text.Split(' ', 4);
        if (parts.Length < 3 || parts[0] != Magic || !JobIds.IsValid(parts[1]))
            return null;
        return parts[2] switch
        {
            "heartbeat" when parts.Length == 3 => new ProgressReport(parts[1], null, null),
            "progress" => ParseProgress(parts[1], parts.Length > 3 ? parts[3] : ""),
            _ => null,
        };
    }

    private static ProgressReport? ParseProgress(string jobId, string rest)
    {
        var space = rest.IndexOf(' ');
        var number = space < 0 ? rest : rest[..space];
        var message = space < 0 ? "" : rest[(space + 1)..];
        if (ParseFraction(number) is not { } fraction || message.Length > MaxMessageLength || message.Any(char.IsControl))
            return null;
        return new ProgressReport(jobId, fraction, message.Length == 0 ? null : message);
    }

    /// <summary>A fraction is a plain decimal number in 0..1; anything else (NaN, exponent tricks, out of range) is malformed.</summary>
    public static double? ParseFraction(string text) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1
            ? value
            : null;
}
