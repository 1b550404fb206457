using Caas.Contracts.Bus;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class RabbitMqAddressTests
{
    [Fact]
    public void A_url_gives_host_port_virtual_host_and_credentials_and_prints_without_the_password()
    {
        var (address, problem) = RabbitMqAddress.Parse("amqp://caas:p%40ss@198.18.7.1:5673/cl-1a2b");

        Assert.Null(problem);
        Assert.Equal(("198.18.7.1", 5673, "cl-1a2b", "caas", "p@ss"), (address!.Host, address.Port, address.VirtualHost, address.Username, address.Password));
        Assert.Equal("amqp://caas@198.18.7.1:5673/cl-1a2b", address.ToString());
        Assert.Equal(("/", 5672), (RabbitMqAddress.Parse("amqp://u:p@localhost").Address!.VirtualHost, RabbitMqAddress.Parse("amqp://u:p@localhost").Address!.Port));
    }

    [Theory]
    [InlineData(null, "Caas:Bus:RabbitMq:Url is required")]
    [InlineData("http://u:p@host/vhost", "Caas:Bus:RabbitMq:Url must look like amqp://user:password@host:port/vhost.")]
    [InlineData("amqp://host/vhost", "Caas:Bus:RabbitMq:Url must name a user and password")]
    [InlineData("amqp://user@host/vhost", "Caas:Bus:RabbitMq:Url must name a user and password")]
    [InlineData("amqp://u:p@host/a/b", "Caas:Bus:RabbitMq:Url names virtual host \"a/b\"")]
    public void A_bad_url_is_refused_with_a_sentence_that_names_the_setting_and_not_the_password(string? url, string expected)
    {
        var (address, problem) = RabbitMqAddress.Parse(url);

        Assert.Null(address);
        Assert.StartsWith(expected, problem);
        Assert.DoesNotContain(":p@", problem);
    }
}
