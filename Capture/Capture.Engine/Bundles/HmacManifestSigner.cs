using System.Security.Cryptography;

namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// Signs manifests with HMAC-SHA256 under the platform key, so that only a holder of the key can
/// produce a bundle an agent will restore: restoring a crafted image as root is code execution.
/// </summary>
public sealed class HmacManifestSigner : IManifestSigner
{
    public const int KeyBytes = 32;
    public const string SignaturePrefix = "hmac-sha256:";
    private const int SignatureHexChars = 64;

    private readonly byte[] _key;

    /// <param name="key">The platform key: exactly <see cref="KeyBytes"/> bytes, shared by every agent that exchanges images.</param>
    public HmacManifestSigner(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyBytes)
            throw new ArgumentException($"the image key must be {KeyBytes} bytes, not {key.Length}", nameof(key));
        _key = key.ToArray();
    }

    public string? Sign(ReadOnlySpan<byte> canonicalManifest) =>
        SignaturePrefix + Convert.ToHexStringLower(HMACSHA256.HashData(_key, canonicalManifest));

    public string? Check(ReadOnlySpan<byte> canonicalManifest, string? signature)
    {
        if (string.IsNullOrEmpty(signature))
            return "the manifest is not signed";
        if (!signature.StartsWith(SignaturePrefix, StringComparison.Ordinal))
            return $"the signature is not of the form \"{SignaturePrefix}<hex>\"";
        var hex = signature.AsSpan(SignaturePrefix.Length);
        if (hex.Length != SignatureHexChars || !IsHex(hex))
            return $"the signature is not {SignatureHexChars} hex digits";
        var expected = HMACSHA256.HashData(_key, canonicalManifest);
        // Constant time, so that the comparison does not tell an attacker how many bytes were right.
        return CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(hex))
            ? null
            : "the signature does not match: the manifest was changed after signing, or signed with another platform key";
    }

    private static bool IsHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
            if (!char.IsAsciiHexDigit(c))
                return false;
        return true;
    }

    /// <summary>Keeps the key out of logs and debugger displays.</summary>
    public override string ToString() => "HmacManifestSigner (key hidden)";
}
