namespace Caas.Monitoring.Grains;

/// <summary>Says for people how a process ended: "exit code 3", "killed by signal 9 (SIGKILL)".</summary>
public static class ExitDescription
{
    private static readonly Dictionary<int, string> SignalNames = new()
    {
        [1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [5] = "SIGTRAP", [6] = "SIGABRT", [7] = "SIGBUS",
        [8] = "SIGFPE", [9] = "SIGKILL", [10] = "SIGUSR1", [11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE",
        [14] = "SIGALRM", [15] = "SIGTERM", [24] = "SIGXCPU", [25] = "SIGXFSZ",
    };

    public static string Of(int? exitCode, int? signal) => signal is { } s
        ? SignalNames.TryGetValue(s, out var name) ? $"killed by signal {s} ({name})" : $"killed by signal {s}"
        : exitCode is { } code ? $"exit code {code}" : "ended without an exit status";
}
