using System.Diagnostics;
using Caas.Capture.Engine;
using Caas.Capture.Engine.Network;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Tests;

/// <summary>
/// A bridge on the host as the fabric that ranks' namespaces join, in a /24 of the distributed tests' own (198.18.21.0/24
/// by default; bench/Distributed.Benchmarks links this file and uses 198.18.22.0/24), and the <see cref="RankNamespaces"/>
/// over it; every namespace named through <see cref="Name"/> is deleted at the end.
/// </summary>
public sealed class RankFabric : IAsyncDisposable
{
    private readonly string _runId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2));
    private readonly string _namePrefix;
    private readonly List<string> _names = [];

    public RankFabric(string subnet = "198.18.21", string namePrefix = "caas-test")
    {
        Subnet = subnet;
        _namePrefix = namePrefix;
        if (Run("ip", "-br", "-4", "addr").Contains($" {Subnet}.", StringComparison.Ordinal))
            throw new InvalidOperationException($"another interface has an address in {Subnet}.0/24, which these tests need");
        Run("ip", "link", "add", Bridge, "type", "bridge");
        Run("ip", "link", "set", Bridge, "up");
        Namespaces = new RankNamespaces(
            Options.Create(new RankFabricOptions { Bridge = Bridge, PrefixLength = 24 }),
            Options.Create(new CaptureOptions()));
    }

    /// <summary>The first three bytes of the fabric's addresses.</summary>
    public string Subnet { get; }

    public string Bridge => $"rkbr{_runId}";

    public RankNamespaces Namespaces { get; }

    /// <summary>A namespace name of this run, for rank <paramref name="rank"/> in generation <paramref name="generation"/>.</summary>
    public string Name(string generation, int rank)
    {
        var name = $"{_namePrefix}-{_runId}-{generation}{rank}";
        _names.Add(name);
        return name;
    }

    /// <summary>The interfaces attached to the bridge: one per live rank namespace.</summary>
    public IReadOnlyList<string> Members() =>
        [.. Run("ip", "-br", "link", "show", "master", Bridge).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', '@')[0])];

    /// <summary>The bridge's Ethernet address.</summary>
    public string Mac() => File.ReadAllText($"/sys/class/net/{Bridge}/address").Trim();

    public string AddressOf(int rank) => $"{Subnet}.{10 + rank}";

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _names)
            await Namespaces.DeleteAsync(name);
        Run("ip", "link", "delete", Bridge);
    }

    public static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)}: {error}");
    }
}
