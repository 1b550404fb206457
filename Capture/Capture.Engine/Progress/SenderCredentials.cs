using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Caas.Capture.Engine.Progress;

/// <summary>
/// Receives unix datagrams together with the sending process's PID (SCM_CREDENTIALS, as the kernel
/// vouches for it in the receiver's PID namespace), which .NET's Socket does not expose. The PID tells a
/// job apart from a test-restored copy of it that sends under the same job id.
/// </summary>
internal static unsafe partial class SenderCredentials
{
    private const int SolSocket = 1;
    private const int SoPassCred = 16;
    private const int ScmCredentials = 2;
    private const int Eagain = 11;
    private const int Eintr = 4;
    private const int MsgTrunc = 0x20;
    private const int Emsgsize = 90;
    // cmsghdr (len, level, type: 16 bytes on 64-bit) followed by struct ucred (pid, uid, gid), with room to spare.
    private const int ControlBytes = 64;

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ControlHeader
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint RecvMsg(nint socket, MessageHeader* message, int flags);

    /// <summary>Asks the kernel to attach the sender's credentials to every datagram the socket receives.</summary>
    public static void Enable(Socket socket) => socket.SetRawSocketOption(SolSocket, SoPassCred, BitConverter.GetBytes(1));

    /// <summary>Takes the next datagram, waiting at most the socket's receive timeout (SO_RCVTIMEO) for one.</summary>
    /// <returns>Its length, or -1 when none came in time; <paramref name="senderPid"/> is null when the kernel attached no credentials.</returns>
    public static int Receive(Socket socket, Span<byte> buffer, out int? senderPid)
    {
        senderPid = null;
        var control = stackalloc byte[ControlBytes];
        fixed (byte* data = buffer)
        {
            var vector = new IoVec { Base = data, Length = (nuint)buffer.Length };
            var header = new MessageHeader { Vectors = &vector, VectorCount = 1, Control = control, ControlLength = ControlBytes };
            nint length;
            var handle = socket.SafeHandle;
            var added = false;
            try
            {
                // Holds the descriptor open for the call, so a concurrent close cannot hand its number to another file.
                handle.DangerousAddRef(ref added);
                length = RecvMsg(handle.DangerousGetHandle(), &header, 0);
            }
            finally
            {
                if (added)
                    handle.DangerousRelease();
            }
            if (length < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error is Eagain or Eintr)
                    return -1;
                throw new SocketException(error);
            }
            // Longer than the buffer: the kernel dropped the rest, so what arrived is not the datagram that was sent.
            if ((header.Flags & MsgTrunc) != 0)
                throw new SocketException(Emsgsize);
            var cmsg = (ControlHeader*)control;
            if (header.ControlLength >= (nuint)sizeof(ControlHeader) + 4 && cmsg->Level == SolSocket && cmsg->Type == ScmCredentials)
                senderPid = *(int*)(control + sizeof(ControlHeader));
            return (int)length;
        }
    }
}
