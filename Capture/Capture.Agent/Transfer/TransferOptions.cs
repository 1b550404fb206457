namespace Caas.Capture.Agent.Transfer;

/// <summary>How the agent serves and fetches checkpoint images; bound from "Caas:Agent:Transfer".</summary>
public sealed class TransferOptions
{
    /// <summary>
    /// Where the transfer server listens, e.g. "http://127.0.0.2:0" (port 0: any free port). Null (the
    /// default): the agent serves no images, and other nodes cannot fetch from it.
    /// </summary>
    public string? ListenUrl { get; set; }

    /// <summary>The URL other agents use to reach the server (behind NAT or a proxy); default: the address it listens on.</summary>
    public string? AdvertisedUrl { get; set; }

    /// <summary>How long a token minted for one transfer stays valid; it must cover the whole transfer, retries included.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Requests in a row that may fail without a byte received before a transfer gives up.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The wait before the first retry; it doubles with every failed attempt in a row.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A response that sends no byte for this long counts as a broken connection.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <returns>Problems, one sentence each, named under <paramref name="section"/>.</returns>
    public IEnumerable<string> Problems(string section)
    {
        // Plain http only: the server has no certificate of its own; TLS belongs to a proxy named by AdvertisedUrl.
        if (ListenUrl is not null && !(IsHttpUrl(ListenUrl) && ListenUrl.StartsWith("http://", StringComparison.Ordinal)))
            yield return $"{section}:ListenUrl must be an http:// URL with a host and port, e.g. http://127.0.0.1:0, not \"{ListenUrl}\".";
        if (AdvertisedUrl is not null && !IsHttpUrl(AdvertisedUrl))
            yield return $"{section}:AdvertisedUrl must be an http:// or https:// URL, not \"{AdvertisedUrl}\".";
        if (TokenLifetime <= TimeSpan.Zero)
            yield return $"{section}:TokenLifetime must be positive.";
        if (MaxAttempts < 1)
            yield return $"{section}:MaxAttempts must be at least 1.";
        if (FirstRetryDelay < TimeSpan.Zero)
            yield return $"{section}:FirstRetryDelay must not be negative.";
        if (StallTimeout <= TimeSpan.Zero)
            yield return $"{section}:StallTimeout must be positive.";
    }

    private static bool IsHttpUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0;
}
