namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>One node of the test cluster: its id, pool, labels, and the last byte of its address in its network's subnet.</summary>
public sealed record ClusterNode(string NodeId, string Pool, int HostByte, IReadOnlyDictionary<string, string> Labels);
