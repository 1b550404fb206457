using System.Security.Cryptography;

namespace Caas.Capture.Engine.Bundles;

/// <summary>How a child bundle names its parent: the SHA-256 of the parent's manifest.json exactly as stored.</summary>
public static class ManifestDigest
{
    public const string Prefix = "sha256:";
    private const int HexChars = 64;

    public static string Of(ReadOnlySpan<byte> manifestBytes) => Prefix + Convert.ToHexStringLower(SHA256.HashData(manifestBytes));

    public static bool IsWellFormed(string digest) =>
        digest.Length == Prefix.Length + HexChars
        && digest.StartsWith(Prefix, StringComparison.Ordinal)
        && digest.AsSpan(Prefix.Length).ContainsAnyExcept("0123456789abcdef") is false;
}
