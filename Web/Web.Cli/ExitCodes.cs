namespace Caas.Web.Cli;

/// <summary>What caas-cli's exit status means, so scripts can tell a refusal from an outage and a failure from a wait cut short.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The platform refused the request (4xx), or the command line itself was wrong.</summary>
    public const int Refused = 1;
    /// <summary>The platform could not be reached, or failed (5xx).</summary>
    public const int Unreachable = 2;
    /// <summary>With --wait: the platform accepted the operation but reports that it failed (e.g. the checkpoint or restore failed).</summary>
    public const int Failed = 3;
    /// <summary>With --wait: the operation had not ended within --timeout; it goes on on the platform.</summary>
    public const int TimedOut = 4;
}
