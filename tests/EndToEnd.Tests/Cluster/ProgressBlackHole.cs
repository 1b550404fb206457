using System.Net.Sockets;
using System.Text;

namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>
/// Takes the place of an agent's progress socket and drops what jobs report, as a node that stops passing its jobs'
/// progress on: the jobs run on but look stalled. The agent's own flush markers ("caas1 - barrier N", sent to its own
/// socket before a checkpoint) are passed on, so its checkpoints still work. Disposing puts the agent's socket back.
/// </summary>
public sealed class ProgressBlackHole : IAsyncDisposable
{
    private const string BarrierPrefix = "caas1 - barrier ";
    private readonly string _path;
    private readonly string _agentPath;
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _relay;

    private ProgressBlackHole(string path)
    {
        _path = path;
        _agentPath = path + ".agent";
        File.Move(path, _agentPath);
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _relay = Task.Run(RelayBarriersAsync);
    }

    public static ProgressBlackHole Over(string socketPath) => new(socketPath);

    private async Task RelayBarriersAsync()
    {
        var buffer = new byte[4096];
        using var agent = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (Exception error) when (error is OperationCanceledException || (error is SocketException && _stop.IsCancellationRequested))
            {
                return;
            }
            if (Encoding.ASCII.GetString(buffer, 0, length).StartsWith(BarrierPrefix, StringComparison.Ordinal))
                await agent.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, new UnixDomainSocketEndPoint(_agentPath));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _relay;
        _socket.Dispose();
        File.Delete(_path);
        File.Move(_agentPath, _path);
        _stop.Dispose();
    }
}
