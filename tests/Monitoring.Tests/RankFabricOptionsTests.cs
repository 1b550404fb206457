using Caas.Monitoring.Grains.Distributed;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class RankFabricOptionsTests
{
    [Fact]
    public void The_fabric_is_the_given_number_of_consecutive_addresses_across_byte_boundaries() =>
        Assert.Equal(["10.0.0.254", "10.0.0.255", "10.0.1.0"], new RankFabricOptions { FirstAddress = "10.0.0.254", Size = 3 }.Addresses());

    [Fact]
    public void No_first_address_means_no_fabric() => Assert.Empty(new RankFabricOptions().Addresses());

    [Theory]
    [InlineData("fe80::1", 4, "is not an IPv4 address")]
    [InlineData("10.0.0.1", 0, "Size must be between 1 and 65536")]
    [InlineData("255.255.255.250", 10, "run past 255.255.255.255")]
    public void Bad_settings_are_named(string first, int size, string problem) =>
        Assert.Contains(problem, Assert.Throws<InvalidOperationException>(() => new RankFabricOptions { FirstAddress = first, Size = size }.Addresses()).Message);
}
