namespace Caas.Capture.Agent;

/// <summary>
/// The credential this agent signs its reports with: from Caas:Agent:Credential, or set by a host that enrolls its own
/// embedded agent at start. Null until there is one (the platform then refuses the agent's reports).
/// </summary>
public sealed class AgentCredential(string nodeId, string? secret)
{
    private volatile string? secret = secret;

    public string NodeId { get; } = nodeId;

    public string? Secret => secret;

    public void Set(string value) => secret = value;
}
