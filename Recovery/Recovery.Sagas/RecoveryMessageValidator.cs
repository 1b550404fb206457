using System.Text.RegularExpressions;
using Caas.Contracts.Bus;
using Caas.Contracts.Jobs;

namespace Caas.Recovery.Sagas;

/// <summary>Checks the messages that open incidents before anything is recorded or sent.</summary>
public static partial class RecoveryMessageValidator
{
    /// <exception cref="InvalidRecoveryMessageException">The request names no incident, an invalid job or node, or a negative checkpoint.</exception>
    public static void ThrowIfInvalid(RecoveryRequested request)
    {
        var problems = new List<string>();
        CheckCommon(request.IncidentId, request.JobId, request.NodeId, problems);
        if (request.Sequence < 0)
            problems.Add($"checkpoint sequence {request.Sequence} is negative");
        if (request.AvoidNodeId is not null && !IsNodeId(request.AvoidNodeId))
            problems.Add($"node id to avoid '{request.AvoidNodeId}' is not a node id");
        if (request.CheckpointNodeId is not null && !IsNodeId(request.CheckpointNodeId))
            problems.Add($"checkpoint node id '{request.CheckpointNodeId}' is not a node id");
        if (request.AvoidNodeId is not null && request.AvoidNodeId == request.CheckpointNodeId)
            problems.Add($"the checkpoint to restore lies on node {request.AvoidNodeId}, the node to avoid");
        ThrowIfAny(nameof(RecoveryRequested), problems);
    }

    /// <exception cref="InvalidRecoveryMessageException">The stall names no incident, an invalid job or node, or an unknown action.</exception>
    public static void ThrowIfInvalid(JobStallDetected stall)
    {
        var problems = new List<string>();
        CheckCommon(stall.IncidentId, stall.JobId, stall.NodeId, problems);
        if (!Enum.IsDefined(stall.Action))
            problems.Add($"stall action {(int)stall.Action} is unknown");
        if (stall.LastCheckpointSequence < 0)
            problems.Add($"checkpoint sequence {stall.LastCheckpointSequence} is negative");
        if (stall.LastCheckpointNodeId is not null && !IsNodeId(stall.LastCheckpointNodeId))
            problems.Add($"checkpoint node id '{stall.LastCheckpointNodeId}' is not a node id");
        ThrowIfAny(nameof(JobStallDetected), problems);
    }

    private static void CheckCommon(Guid incidentId, string? jobId, string? nodeId, List<string> problems)
    {
        if (incidentId == Guid.Empty)
            problems.Add("incident id is empty");
        if (!JobIds.IsValid(jobId))
            problems.Add($"job id '{jobId}' is not a job id");
        if (!IsNodeId(nodeId))
            problems.Add($"node id '{nodeId}' is not a node id");
    }

    private static void ThrowIfAny(string messageType, List<string> problems)
    {
        if (problems.Count > 0)
            throw new InvalidRecoveryMessageException($"{messageType} rejected: {string.Join("; ", problems)}.");
    }

    // Node ids become queue names (AgentAddress), so they must be safe in a URI.
    private static bool IsNodeId(string? nodeId) => nodeId is not null && NodeIdPattern().IsMatch(nodeId);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NodeIdPattern();
}
