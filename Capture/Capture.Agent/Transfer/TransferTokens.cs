using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Caas.Capture.Agent.Transfer;

/// <summary>
/// Mints and checks the bearer tokens that let one agent read another's checkpoint: signed with
/// HMAC-SHA256, expiring, single-purpose, naming one checkpoint and one target node. The key is
/// derived from the platform image key with HKDF under its own label, so a token never exposes or
/// doubles as the key that signs images. Format: "v1.&lt;base64url claims&gt;.&lt;base64url MAC&gt;", the claims
/// being "purpose|jobId|sequence|targetNodeId|expiry unix seconds".
/// </summary>
public sealed class TransferTokens
{
    public const string ImageRead = "image-read";
    private const string Version = "v1";
    private const int MaxTokenChars = 1024;
    private static readonly byte[] KeyLabel = "caas transfer token key v1"u8.ToArray();

    private readonly byte[] _key;
    private readonly TimeProvider _time;

    /// <param name="imageKey">The platform image key; only a key derived from it is kept.</param>
    public TransferTokens(ReadOnlySpan<byte> imageKey, TimeProvider time)
    {
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, imageKey.ToArray(), 32, salt: [], info: KeyLabel);
        _time = time;
    }

    /// <summary>An "image-read" token for checkpoint <paramref name="sequence"/> of the job, for <paramref name="targetNodeId"/>.</summary>
    public (string Token, DateTimeOffset ExpiresAt) MintImageRead(string jobId, int sequence, string targetNodeId, TimeSpan lifetime) =>
        Mint(ImageRead, jobId, sequence, targetNodeId, lifetime);

    internal (string Token, DateTimeOffset ExpiresAt) Mint(string purpose, string jobId, int sequence, string targetNodeId, TimeSpan lifetime)
    {
        if (new[] { purpose, jobId, targetNodeId }.Any(part => part.Contains('|')))
            throw new ArgumentException("token claims must not contain '|'");
        // Whole seconds, so that what the token says is exactly what the claims carry.
        var expires = DateTimeOffset.FromUnixTimeSeconds((_time.GetUtcNow() + lifetime).ToUnixTimeSeconds());
        var claims = string.Join('|', purpose, jobId, sequence.ToString(CultureInfo.InvariantCulture), targetNodeId,
            expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        var claimBytes = Encoding.UTF8.GetBytes(claims);
        var token = $"{Version}.{Base64Url(claimBytes)}.{Base64Url(Mac(claimBytes))}";
        return (token, expires);
    }

    /// <summary>Checks the token's form, signature, expiry and purpose (in that order: nothing it says is read before its MAC holds).</summary>
    public TokenVerdict Check(string? token, string purpose)
    {
        if (string.IsNullOrEmpty(token))
            return TokenVerdict.Unauthenticated("a transfer token is required (Authorization: Bearer <token>)");
        var parts = token.Length <= MaxTokenChars ? token.Split('.') : [];
        if (parts.Length != 3 || parts[0] != Version
            || FromBase64Url(parts[1]) is not { } claimBytes || FromBase64Url(parts[2]) is not { } mac)
            return TokenVerdict.Unauthenticated("the transfer token is malformed");
        // Constant time, so that the comparison does not tell an attacker how many bytes were right.
        if (!CryptographicOperations.FixedTimeEquals(Mac(claimBytes), mac))
            return TokenVerdict.Unauthenticated("the transfer token's signature does not match: it was changed, or minted under another platform key");
        var claims = Encoding.UTF8.GetString(claimBytes).Split('|');
        if (claims.Length != 5
            || !int.TryParse(claims[2], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            || !long.TryParse(claims[4], NumberStyles.None, CultureInfo.InvariantCulture, out var expirySeconds))
            return TokenVerdict.Unauthenticated("the transfer token's claims are malformed");
        var parsed = new TransferToken(claims[0], claims[1], sequence, claims[3], DateTimeOffset.FromUnixTimeSeconds(expirySeconds));
        if (_time.GetUtcNow() >= parsed.ExpiresAt)
            return TokenVerdict.Unauthenticated($"the transfer token expired at {parsed.ExpiresAt:O}");
        if (parsed.Purpose != purpose)
            return TokenVerdict.Forbidden($"the transfer token is for \"{parsed.Purpose}\", not \"{purpose}\"");
        return TokenVerdict.Valid(parsed);
    }

    private byte[] Mac(byte[] claims) => HMACSHA256.HashData(_key, claims);

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static byte[]? FromBase64Url(string text)
    {
        try
        {
            return text.Length == 0 ? null : System.Buffers.Text.Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Keeps the key out of logs and debugger displays.</summary>
    public override string ToString() => "TransferTokens (key hidden)";
}
