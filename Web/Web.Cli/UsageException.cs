namespace Caas.Web.Cli;

/// <summary>A value on the command line that the parser accepted but caas-cli cannot use; nothing was sent.</summary>
public sealed class UsageException(string message) : Exception(message);
