namespace Caas.Monitoring.Grains.AgentAuth;

/// <summary>Caas:Security:AgentCredentials — whether agents' reports must carry a valid credential.</summary>
public sealed class AgentCredentialOptions
{
    public const string SectionName = "Caas:Security:AgentCredentials";

    /// <summary>
    /// Refuse reports and heartbeats without a valid agent credential. On by default; a cluster whose agents are not
    /// enrolled yet can turn it off (docs/operations.md says how to enroll them instead).
    /// </summary>
    public bool Required { get; set; } = true;
}
