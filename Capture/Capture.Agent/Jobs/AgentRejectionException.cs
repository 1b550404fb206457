namespace Caas.Capture.Agent.Jobs;

/// <summary>A command the agent refused or could not carry out; the message is the reason reported on the bus.</summary>
public sealed class AgentRejectionException(string reason) : Exception(reason);
