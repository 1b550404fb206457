namespace Caas.Web.Standalone;

/// <summary>Caas:Mode: which engines the host runs on.</summary>
public enum PlatformMode
{
    /// <summary>One process, zero set-up: SQLite event store, in-memory bus, an embedded node agent.</summary>
    Standalone = 0,
    /// <summary>The web/silo host of a cluster: PostgreSQL event store, RabbitMQ bus, agents as separate processes.</summary>
    Cluster = 1,
}
