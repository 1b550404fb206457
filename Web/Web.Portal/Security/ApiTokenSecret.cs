using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Caas.Web.Portal.Security;

/// <summary>
/// Token secrets: 32 random bytes, base64url, prefixed "caas_" so leaked ones are easy to find in logs and repos.
/// Only their SHA-256 is stored; a fast hash is enough because the secret itself has 256 bits of entropy.
/// </summary>
public static class ApiTokenSecret
{
    public const string Prefix = "caas_";

    public static string Generate() => Prefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
