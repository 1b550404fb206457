using Caas.Contracts.Events;
using Caas.Contracts.Policies;
using Caas.Contracts.Views;

namespace Caas.Monitoring.Grains.Policies;

/// <summary>
/// A dry run: folds a job's recorded events in order and asks the evaluator, at every incident, what the policy would
/// have done, feeding its own decisions back as its history (not the decisions recorded live, which came from whatever
/// policy was in force then). Acts on nothing.
/// </summary>
public sealed class PolicyReplay(RecoveryPolicy policy)
{
    private readonly JobState _state = new();
    private readonly PolicyHistory _decisions = new();
    private readonly List<PolicyDryRunStep> _steps = [];

    public IReadOnlyList<PolicyDryRunStep> Steps => _steps;
    public long EventsReplayed { get; private set; }

    public static IReadOnlyList<PolicyDryRunStep> Run(RecoveryPolicy policy, IEnumerable<RecordedJobEvent> history)
    {
        var replay = new PolicyReplay(policy);
        foreach (var recorded in history)
            replay.Feed(recorded);
        return replay.Steps;
    }

    /// <summary>The next event of the stream, in order.</summary>
    public void Feed(RecordedJobEvent recorded)
    {
        var (version, type, jobEvent) = recorded;
        var before = PolicyTriggers.ContextOf(_state);
        _state.Apply(jobEvent);
        EventsReplayed++;
        if (PolicyTriggers.Of(jobEvent, _state) is not { } trigger)
            return;
        var decision = RecoveryPolicyEvaluator.Decide(policy, _decisions, trigger, before, jobEvent.At);
        _decisions.Record(decision);
        _steps.Add(new PolicyDryRunStep(version, type, jobEvent.At, decision));
    }
}

/// <summary>One event of a job's stream with its position and stored type name.</summary>
public readonly record struct RecordedJobEvent(long Version, string Type, IJobEvent Event);
