namespace Caas.Contracts.Bus;

/// <summary>
/// The bus messages only node agents send (reports and heartbeats, and their answers to the platform's requests: launch
/// checks, job output, rank steps), which the platform accepts only with a valid agent credential in the headers, and
/// the node each one speaks for. An answer is checked like a report, since whoever can reach the broker could otherwise
/// answer in a node's name (fake output for `caas logs`, a launch check that lets a job through). Transport-neutral:
/// headers travel alike on the in-memory and the RabbitMQ transports.
/// </summary>
public static class AgentMessages
{
    /// <summary>Header naming the node whose credential signs the message.</summary>
    public const string NodeHeader = "caas-agent-node";
    /// <summary>Header carrying the node's credential (<see cref="CredentialPrefix"/>…); the platform keeps only its hash.</summary>
    public const string CredentialHeader = "caas-agent-credential";
    public const string CredentialPrefix = "caasagent_";

    /// <summary>
    /// The node a report speaks for, which must be the credential's node; null for reports any enrolled agent may send
    /// (a transfer names a source and a target, and either may report).
    /// </summary>
    public static bool TryGetSpeaker(object message, out string? node)
    {
        node = message switch
        {
            NodeHeartbeat m => m.Node.NodeId,
            JobLaunched m => m.NodeId,
            JobProcessExited m => m.NodeId,
            LaunchRejected m => m.NodeId,
            CheckpointCompleted m => m.NodeId,
            CheckpointRejected m => m.NodeId,
            CheckpointVerificationEnded m => m.NodeId,
            CheckpointsPruned m => m.NodeId,
            RestoreCompleted m => m.NodeId,
            RestoreRejected m => m.NodeId,
            RankProcessExited m => m.NodeId,
            LaunchCheckResult m => m.NodeId,
            JobOutputRead m => m.NodeId,
            RankStepDone m => m.NodeId,
            RankStepFailed m => m.NodeId,
            _ => null,
        };
        return node is not null || message is CheckpointTransferred or CheckpointTransferFailed or CheckpointTransferProgress;
    }

    /// <summary>
    /// Whether an agent's answer to a request speaks for <paramref name="nodeAsked"/>. The credential check proves who
    /// answered, not that it was the node asked: on a shared broker any agent can read any agent's queue, so another
    /// enrolled node could answer in its place, and its answer must not be taken for the asked node's.
    /// </summary>
    public static bool IsAnswerOf(object answer, string nodeAsked) => TryGetSpeaker(answer, out var speaker) && speaker == nodeAsked;

    /// <summary>Whether messages of <paramref name="type"/> come only from agents and so need a credential.</summary>
    public static bool IsAgentReport(Type type) => Reports.Contains(type);

    private static readonly HashSet<Type> Reports =
    [
        typeof(NodeHeartbeat), typeof(JobLaunched), typeof(JobProcessExited), typeof(LaunchRejected), typeof(CheckpointCompleted),
        typeof(CheckpointRejected), typeof(CheckpointVerificationEnded), typeof(CheckpointsPruned), typeof(RestoreCompleted),
        typeof(RestoreRejected), typeof(CheckpointTransferred), typeof(CheckpointTransferFailed), typeof(CheckpointTransferProgress),
        typeof(RankProcessExited), typeof(LaunchCheckResult), typeof(JobOutputRead), typeof(RankStepDone), typeof(RankStepFailed),
    ];
}
