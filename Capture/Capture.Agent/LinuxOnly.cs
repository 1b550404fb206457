// The agent runs jobs in Linux namespaces and checkpoints them with CRIU: it exists only on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
