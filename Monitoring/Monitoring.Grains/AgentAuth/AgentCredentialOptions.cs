namespace Caas.Monitoring.Grains.AgentAuth;

/// <summary>Caas:Security:AgentCredentials — whether agents' reports must carry a valid credential.</summary>
public sealed class AgentCredentialOptions
{
    public const string SectionName = "Caas:Security:AgentCredentials";

    /// <summary>
    /// Refuse reports, heartbeats and answers to requests without a valid agent credential. On by default, standalone and
    /// in a cluster alike: enroll each agent and start it with its credential (docs/operations.md). Off only for a
    /// trusted broker nobody else can publish on, and then every agent speaks for any node.
    /// </summary>
    public bool Required { get; set; } = true;
}
