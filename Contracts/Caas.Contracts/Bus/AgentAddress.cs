namespace Caas.Contracts.Bus;

/// <summary>Where commands for one node agent go: each agent consumes its own queue.</summary>
public static class AgentAddress
{
    public static string QueueName(string nodeId) => $"agent-{nodeId}";
    public static Uri For(string nodeId) => new($"queue:{QueueName(nodeId)}");
}
