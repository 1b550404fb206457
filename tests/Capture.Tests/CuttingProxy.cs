using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Caas.Capture.Tests;

/// <summary>
/// A TCP proxy on loopback in front of a transfer server that ends its first connection after a
/// given number of response bytes, mid-body, as a server or middlebox dying would, and counts every
/// byte it delivers. It closes rather than resets: a reset makes the kernel drop bytes the client had
/// not read yet, which would count as delivered here without ever reaching the client.
/// </summary>
public sealed class CuttingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly long _cutFirstAfter;
    private readonly CancellationTokenSource _stop = new();
    private readonly StringBuilder _requests = new();
    private readonly Task _accepting;
    private long _bytesToClient;
    private int _connections;

    public CuttingProxy(Uri upstream, long cutFirstConnectionAfter)
    {
        _upstream = new IPEndPoint(IPAddress.Parse(upstream.Host), upstream.Port);
        _cutFirstAfter = cutFirstConnectionAfter;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
    public long BytesToClient => Interlocked.Read(ref _bytesToClient);
    public int Connections => Volatile.Read(ref _connections);
    public int CutConnections { get; private set; }

    /// <summary>The request heads the client sent, all connections together.</summary>
    public string Requests
    {
        get
        {
            lock (_requests)
                return _requests.ToString();
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var number = Interlocked.Increment(ref _connections);
                _ = RelayAsync(client, cut: number == 1);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RelayAsync(TcpClient client, bool cut)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_upstream, _stop.Token);
            var up = PumpRequestsAsync(client.GetStream(), server.GetStream());
            var down = PumpResponsesAsync(server.GetStream(), client.GetStream(), cut ? _cutFirstAfter : long.MaxValue);
            if (!await down)
            {
                CutConnections++;
                client.Client.Shutdown(SocketShutdown.Both);
                client.Client.Close();
                server.Client.Close();
            }
            await Task.WhenAny(up, Task.Delay(100));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpRequestsAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 << 10];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                lock (_requests)
                    _requests.Append(Encoding.ASCII.GetString(buffer, 0, read));
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <returns>False when the connection was cut after <paramref name="budget"/> bytes.</returns>
    private async Task<bool> PumpResponsesAsync(NetworkStream from, NetworkStream to, long budget)
    {
        var buffer = new byte[16 << 10];
        long sent = 0;
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                var forward = (int)Math.Min(read, budget - sent);
                await to.WriteAsync(buffer.AsMemory(0, forward), _stop.Token);
                sent += forward;
                Interlocked.Add(ref _bytesToClient, forward);
                if (sent >= budget)
                    return false;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
