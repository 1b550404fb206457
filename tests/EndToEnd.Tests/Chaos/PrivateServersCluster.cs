using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests.Chaos;

/// <summary>The split cluster on a PostgreSQL server and a RabbitMQ node of its own, which its tests restart.</summary>
public sealed class PrivateServersCluster() : SeparateProcessCluster(privateServers: true);
