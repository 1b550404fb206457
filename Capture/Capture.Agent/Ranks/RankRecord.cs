namespace Caas.Capture.Agent.Ranks;

/// <summary>
/// What the agent writes to ranks/&lt;jobId&gt;/&lt;rank&gt;/rank.json after every step that changes a rank, so that a
/// restarted agent still holds its ranks (and can unlock, dump or stop them) instead of leaving them unmanaged.
/// </summary>
/// <param name="Namespace">The rank's namespace and its address; null while it has none (stopped, abandoned).</param>
/// <param name="Pid">The rank's root process (with its start time), null while none runs.</param>
public sealed record RankRecord(string JobId, int Rank, int Generation, string StateDirectory, string? Namespace, string? Address, int? Pid, ulong? StartTicks);
