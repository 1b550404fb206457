using Caas.Capture.Agent;
using Caas.Capture.Engine.Bundles;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Caas.Capture.Tests;

/// <summary>The agent host with its real key handling: a key it cannot trust stops it from starting.</summary>
[Trait("Category", "Component")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AgentStartupTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private IHost Agent(string? keyFile)
    {
        var builder = Host.CreateApplicationBuilder();
        var settings = new Dictionary<string, string?>
        {
            ["Caas:Agent:NodeId"] = "node-k",
            ["Caas:Agent:DataDirectory"] = _directory.Combine("data", "agent"),
            ["Caas:Agent:Capture:ShimPath"] = NativeBinaries.Shim,
            ["Caas:Agent:Capture:CriuPath"] = NativeBinaries.Criu,
        };
        if (keyFile is not null)
            settings["Caas:Agent:ImageKeyFile"] = keyFile;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddCaasAgent(builder.Configuration);
        builder.Services.AddMassTransitTestHarness(bus => bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context)));
        return builder.Build();
    }

    [Fact]
    public async Task A_first_start_creates_the_key_beside_the_data_directory_and_signs_with_it()
    {
        using var host = Agent(keyFile: null);
        await host.StartAsync();
        await host.StopAsync();

        var keyFile = _directory.Combine("data", "image.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        var canonical = "{}"u8.ToArray();
        var signer = host.Services.GetRequiredService<IManifestSigner>();
        Assert.Equal(new HmacManifestSigner(File.ReadAllBytes(keyFile)).Sign(canonical), signer.Sign(canonical));
    }

    [Fact]
    public async Task A_key_file_readable_by_others_stops_the_agent_with_the_reason()
    {
        var keyFile = _directory.Combine("image.key");
        File.WriteAllBytes(keyFile, new byte[32]);
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using var host = Agent(keyFile);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Equal($"the image key file {keyFile} is accessible to group or others (mode 644); run: chmod 600 {keyFile}", refused.Message);
    }
}
