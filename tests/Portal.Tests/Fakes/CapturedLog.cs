using Microsoft.Extensions.Logging;

namespace Caas.Portal.Tests.Fakes;

/// <summary>A logger provider that keeps every formatted message (and exception text), for tests that read the log.</summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly Lock gate = new();
    private readonly List<string> lines = [];

    public string Text
    {
        get { lock (gate) return string.Join('\n', lines); }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (log.gate)
                log.lines.Add($"{logLevel} {formatter(state, exception)} {exception}");
        }
    }
}
