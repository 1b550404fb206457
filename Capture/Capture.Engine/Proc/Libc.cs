using System.Runtime.InteropServices;

namespace Caas.Capture.Engine.Proc;

/// <summary>The few libc calls .NET does not expose: signals by PID, clock ticks, hard links.</summary>
internal static partial class Libc
{
    public const int SigKill = 9;
    private const int ScClkTck = 2;
    public const int Exdev = 18;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysconfNative(int name);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkNative(string existing, string created);

    [LibraryImport("libc", EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int LstatNative(string path, byte* buffer);

    private const uint FileTypeMask = 0xF000;
    private const uint RegularFileType = 0x8000;

    /// <summary>True when the path itself (not a link target) is a regular file; .NET reports FIFOs, sockets and devices as files too.</summary>
    public static unsafe bool IsRegularFile(string path)
    {
        // struct stat is 144 bytes on x86-64 and 128 on arm64; st_mode sits at offset 24 and 16 respectively.
        var buffer = stackalloc byte[256];
        if (LstatNative(path, buffer) != 0)
            return false;
        var modeOffset = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 16 : 24;
        return (*(uint*)(buffer + modeOffset) & FileTypeMask) == RegularFileType;
    }

    public static bool Kill(int pid, int signal) => KillNative(pid, signal) == 0;

    public static long ClockTicksPerSecond { get; } = SysconfNative(ScClkTck) is > 0 and var ticks ? ticks : 100;

    /// <returns>0, or the errno of the failure.</returns>
    public static int Link(string existing, string created) =>
        LinkNative(existing, created) == 0 ? 0 : Marshal.GetLastPInvokeError();
}
