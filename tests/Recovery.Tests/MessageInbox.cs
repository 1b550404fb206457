using System.Threading.Channels;

namespace Caas.Recovery.Tests;

/// <summary>Messages a test host received, for the test to await one by one.</summary>
public sealed class MessageInbox<T>
{
    private readonly Channel<T> _messages = Channel.CreateUnbounded<T>();

    public void Add(T message) => _messages.Writer.TryWrite(message);

    public async Task<T> NextAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            return await _messages.Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No {typeof(T).Name} arrived within {timeout}.");
        }
    }
}
