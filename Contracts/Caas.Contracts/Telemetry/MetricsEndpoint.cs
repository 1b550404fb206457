namespace Caas.Contracts.Telemetry;

/// <summary>
/// Where a host serves its OpenTelemetry metrics for Prometheus: <c>http://127.0.0.1:{port}/metrics</c>, on loopback
/// only and without credentials, so only a scraper on the same machine (or in the same network namespace, as a
/// sidecar) reads them. Set by <see cref="ConfigurationKey"/>; absent means no metrics endpoint.
/// </summary>
public static class MetricsEndpoint
{
    public const string ConfigurationKey = "Caas:Metrics:Port";
    /// <summary>Every meter of the platform: Caas.Monitoring, Caas.Recovery, Caas.Capture.</summary>
    public const string MeterPattern = "Caas.*";
    public const string Path = "/metrics";

    /// <returns>The port (null: no endpoint), or a problem, one sentence naming the key.</returns>
    public static (int? Port, string? Problem) Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return (null, null);
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? (port, null)
            : (null, $"{ConfigurationKey} must be a TCP port from 1 to 65535 (metrics are served on 127.0.0.1 only), not \"{text}\".");
    }
}
