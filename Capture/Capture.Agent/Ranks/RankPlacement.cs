namespace Caas.Capture.Agent.Ranks;

/// <summary>Where one rank of a distributed job runs (or is to be restored) and the address it carries on the rank fabric.</summary>
public sealed record RankPlacement(int Rank, string NodeId, string Address);
