namespace Caas.Capture.Agent.Transfer;

/// <summary>A transfer that will not succeed by retrying (refused token, bad bytes, source gave up); the message is the reason reported on the bus.</summary>
public sealed class TransferFailedException(string reason) : Exception(reason);
