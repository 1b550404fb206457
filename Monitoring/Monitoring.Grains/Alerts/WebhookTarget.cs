namespace Caas.Monitoring.Grains.Alerts;

/// <summary>A configured webhook: where to POST and the secret its signatures are made with (never logged, never shown).</summary>
public sealed class WebhookTarget
{
    public string Url { get; set; } = "";
    public string Secret { get; set; } = "";

    /// <summary>What logs and views may show of it: scheme, host, port and path, never a query string that may hold a token.</summary>
    public string DisplayName => Uri.TryCreate(Url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : "(invalid URL)";

    public override string ToString() => DisplayName;
}
