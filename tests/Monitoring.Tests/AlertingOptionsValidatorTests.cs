using Caas.Monitoring.Grains.Alerts;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class AlertingOptionsValidatorTests
{
    [Fact]
    public void Webhooks_that_could_not_be_delivered_or_signed_well_are_refused_without_naming_the_secret()
    {
        var options = new AlertingOptions
        {
            Webhooks =
            [
                new WebhookTarget { Url = "http://127.0.0.1:9000/hook", Secret = "a sixteen+ char secret" },
                new WebhookTarget { Url = "ftp://127.0.0.1/hook", Secret = "short" },
            ],
        };

        var result = new AlertingOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(
            ["Caas:Alerts:Webhooks:1:Url must be an absolute http or https URL.",
             "Caas:Alerts:Webhooks:1:Secret must be at least 16 characters (receivers check signatures with it)."],
            result.Failures);
        Assert.DoesNotContain("short", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void No_webhooks_is_valid() => Assert.True(new AlertingOptionsValidator().Validate(null, new AlertingOptions()).Succeeded);
}
