using System.Net.Sockets;
using System.Text;

namespace Caas.Capture.Tests;

/// <summary>
/// One HTTP/1.1 GET written by hand, so that a request path reaches the server exactly as written
/// (HttpClient would resolve "..", as a well-behaved client does; an attacker's does not).
/// </summary>
public static class RawHttp
{
    public static async Task<(int Status, string Response)> GetAsync(Uri server, string rawPath, string? token)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        var head = $"GET {rawPath} HTTP/1.1\r\nHost: {server.Authority}\r\n"
            + (token is null ? "" : $"Authorization: Bearer {token}\r\n")
            + "Connection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        var status = int.Parse(response.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, response);
    }
}
