using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>
/// How a notification proves where it came from: <c>X-Caas-Signature: sha256=&lt;hex HMAC-SHA256&gt;</c> over
/// "<c>&lt;X-Caas-Timestamp&gt;.&lt;raw body&gt;</c>" with the webhook's secret. The timestamp (Unix seconds) is inside the
/// signature, so a receiver that refuses old timestamps cannot be fed a recorded request again.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Caas-Signature";
    public const string TimestampHeader = "X-Caas-Timestamp";
    public const string DeliveryHeader = "X-Caas-Delivery";

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>What a receiver does: the signature matches (in constant time) and the timestamp is within <paramref name="tolerance"/> of <paramref name="now"/>.</summary>
    public static bool Verify(string secret, string? timestampHeader, string? signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp) || signatureHeader is null)
            return false;
        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp) > tolerance.TotalSeconds)
            return false;
        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signatureHeader));
    }
}
