namespace Caas.Web.Cli;

/// <summary>No usable answer from the platform: connection refused, timeout, or a server failure.</summary>
public sealed class PlatformUnreachableException(string message, Exception? inner = null) : Exception(message, inner);
