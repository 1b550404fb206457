using Caas.Web.Portal.Portal;

namespace Caas.Portal.Tests.Portal;

[Trait("Category", "Unit")]
public sealed class DisplayTextTests
{
    private static readonly DateTimeOffset Now = SampleJobs.Start;

    [Theory]
    [InlineData(0, "0 s ago")]
    [InlineData(59.9, "59 s ago")]
    [InlineData(60, "1 min ago")]
    [InlineData(3599, "59 min ago")]
    [InlineData(3600, "1 h ago")]
    [InlineData(47 * 3600, "47 h ago")]
    [InlineData(3 * 86400, "3 d ago")]
    [InlineData(-5, "0 s ago")]
    public void Ages_read_the_way_operators_say_them(double secondsAgo, string expected) =>
        Assert.Equal(expected, DisplayText.Ago(Now.AddSeconds(-secondsAgo), Now));

    [Fact]
    public void A_time_never_seen_is_never() => Assert.Equal("never", DisplayText.Ago(null, Now));

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(5 * 1024 * 1024 + 512 * 1024, "5.5 MiB")]
    [InlineData(3L * 1024 * 1024 * 1024, "3.0 GiB")]
    public void Sizes_use_binary_units(long bytes, string expected) => Assert.Equal(expected, DisplayText.Bytes(bytes));

    [Theory]
    [InlineData(null, "–", "0%")]
    [InlineData(0.4215, "42.2%", "42.15%")]
    [InlineData(1.7, "170%", "100%")]
    [InlineData(-0.2, "-20%", "0%")]
    public void Progress_is_shown_as_reported_but_the_bar_stays_in_bounds(double? fraction, string text, string width)
    {
        Assert.Equal(text, DisplayText.Percent(fraction));
        Assert.Equal(width, DisplayText.BarWidth(fraction));
    }
}
