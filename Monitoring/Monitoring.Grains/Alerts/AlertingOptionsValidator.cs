using Microsoft.Extensions.Options;

namespace Caas.Monitoring.Grains.Alerts;

/// <summary>
/// Refuses, at start, webhooks that could never be delivered or signed well: a URL that is not absolute http(s), or a
/// secret shorter than <see cref="ShortestSecret"/> characters. The message names the webhook by index, never its secret.
/// </summary>
public sealed class AlertingOptionsValidator : IValidateOptions<AlertingOptions>
{
    public const int ShortestSecret = 16;

    public ValidateOptionsResult Validate(string? name, AlertingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            var webhook = options.Webhooks[i];
            if (!Uri.TryCreate(webhook.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                problems.Add($"Caas:Alerts:Webhooks:{i}:Url must be an absolute http or https URL.");
            if (webhook.Secret.Length < ShortestSecret)
                problems.Add($"Caas:Alerts:Webhooks:{i}:Secret must be at least {ShortestSecret} characters (receivers check signatures with it).");
        }
        if (options.FlapWindow < TimeSpan.Zero)
            problems.Add("Caas:Alerts:FlapWindow must not be negative.");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
