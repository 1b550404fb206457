using Caas.Monitoring.Grains.AgentAuth;

namespace Caas.Monitoring.Tests;

/// <summary>An unenrolled agent heartbeating every few seconds leaves one audit record a minute per reason, with a count.</summary>
[Trait("Category", "Unit")]
public sealed class RefusalDamperTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 6, 0, 0, TimeSpan.Zero);
    private const string NoCredential = "the message carries no agent credential";

    [Fact]
    public void The_first_refusal_is_recorded_and_repeats_within_the_interval_are_only_counted()
    {
        var damper = new RefusalDamper();

        Assert.Equal((0, Start), damper.ShouldRecord("agent late", NoCredential, Start));
        for (var i = 1; i <= 11; i++)
            Assert.Null(damper.ShouldRecord("agent late", NoCredential, Start.AddSeconds(5 * i)));

        Assert.Equal((11, Start), damper.ShouldRecord("agent late", NoCredential, Start + RefusalDamper.Interval));
        Assert.Null(damper.ShouldRecord("agent late", NoCredential, Start + RefusalDamper.Interval + TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Other_senders_and_other_reasons_are_recorded_on_their_own()
    {
        var damper = new RefusalDamper();
        damper.ShouldRecord("agent late", NoCredential, Start);

        Assert.NotNull(damper.ShouldRecord("agent other", NoCredential, Start.AddSeconds(1)));
        Assert.NotNull(damper.ShouldRecord("agent late", "the credential of node late was revoked", Start.AddSeconds(2)));
    }

    [Fact]
    public void Past_the_bound_on_senders_the_rest_share_one_record_a_minute()
    {
        var damper = new RefusalDamper();
        for (var i = 0; i < RefusalDamper.MaxSenders; i++)
            Assert.NotNull(damper.ShouldRecord($"agent n{i}", NoCredential, Start));

        Assert.NotNull(damper.ShouldRecord("agent one-more", NoCredential, Start.AddSeconds(1)));
        Assert.Null(damper.ShouldRecord("agent and-another", NoCredential, Start.AddSeconds(2)));

        // Senders quiet for a whole interval make room again.
        Assert.Equal((0, Start + RefusalDamper.Interval), damper.ShouldRecord("agent later", NoCredential, Start + RefusalDamper.Interval));
    }
}
