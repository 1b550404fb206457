namespace Caas.Web.Standalone;

/// <summary>
/// Caas:Roles: what one host process runs. Standalone runs all three in one process; in a cluster each role can be a
/// process (or a machine) of its own, and any number of silos share the grains through the cluster's PostgreSQL.
/// </summary>
[Flags]
public enum HostRoles
{
    None = 0,
    /// <summary>An Orleans silo with the job and node grains, the bus consumers that feed them, and the recovery sagas.</summary>
    Silo = 1,
    /// <summary>The portal and HTTP API, the read models and alerting; without a silo it reaches the grains as an Orleans client.</summary>
    Web = 2,
    /// <summary>A node agent inside the host (standalone); a cluster's agents usually run as Capture.Agent processes.</summary>
    Agent = 4,
    All = Silo | Web | Agent,
}
