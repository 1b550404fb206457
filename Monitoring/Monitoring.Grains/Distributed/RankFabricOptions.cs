using System.Net;
using System.Net.Sockets;

namespace Caas.Monitoring.Grains.Distributed;

/// <summary>
/// The addresses the platform gives the ranks of distributed jobs ("Caas:RankFabric"): <see cref="Size"/> IPv4 addresses
/// from <see cref="FirstAddress"/> on, on the network the agents attach their rank namespaces to (their own
/// "Caas:Agent:RankFabric" bridge). None configured: distributed jobs are refused, saying so.
/// </summary>
public sealed class RankFabricOptions
{
    public const string SectionName = "Caas:RankFabric";

    /// <summary>The first address to give a rank, e.g. "10.77.0.10"; none when null.</summary>
    public string? FirstAddress { get; set; }

    /// <summary>How many consecutive addresses from <see cref="FirstAddress"/> ranks may have.</summary>
    public int Size { get; set; } = 200;

    /// <summary>Every address of the fabric in order; empty when none is configured.</summary>
    /// <exception cref="InvalidOperationException">The settings do not describe IPv4 addresses.</exception>
    public IReadOnlyList<string> Addresses()
    {
        if (string.IsNullOrWhiteSpace(FirstAddress))
            return [];
        if (!IPAddress.TryParse(FirstAddress, out var first) || first.AddressFamily != AddressFamily.InterNetwork)
            throw new InvalidOperationException($"{SectionName}:FirstAddress '{FirstAddress}' is not an IPv4 address.");
        if (Size is < 1 or > 65536)
            throw new InvalidOperationException($"{SectionName}:Size must be between 1 and 65536.");
        var start = BitConverter.ToUInt32([.. first.GetAddressBytes().Reverse()]);
        if ((ulong)start + (ulong)Size > uint.MaxValue)
            throw new InvalidOperationException($"{SectionName}: {Size} addresses from {FirstAddress} run past 255.255.255.255.");
        return [.. Enumerable.Range(0, Size).Select(i => new IPAddress([.. BitConverter.GetBytes(start + (uint)i).Reverse()]).ToString())];
    }
}
