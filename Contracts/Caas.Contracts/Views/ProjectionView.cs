namespace Caas.Contracts.Views;

/// <summary>
/// One read model (job list, checkpoint catalog, alerts) as its feed has it: how far into the event store it has
/// folded, how far behind the store's head that is, and where it would resume after a restart.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ProjectionView
{
    [Id(0)] public required string Name { get; init; }
    /// <summary>Global position of the last event folded in; 0 before the first.</summary>
    [Id(1)] public long Position { get; init; }
    /// <summary>Global position of the newest event in the store.</summary>
    [Id(2)] public long HeadPosition { get; init; }
    /// <summary>How long the oldest event not yet folded in has been in the store; zero when caught up.</summary>
    [Id(3)] public TimeSpan Age { get; init; }
    /// <summary>The position stored with its state: a restart resumes after it.</summary>
    [Id(4)] public long SavedPosition { get; init; }
    [Id(5)] public DateTimeOffset? SavedAt { get; init; }
    /// <summary>Being rebuilt from position 0 up to <see cref="RebuildTarget"/>.</summary>
    [Id(6)] public bool Rebuilding { get; init; }
    /// <summary>The store's head when the running rebuild began; 0 when none runs.</summary>
    [Id(7)] public long RebuildTarget { get; init; }

    /// <summary>Events in the store not yet folded in.</summary>
    public long Lag => Math.Max(0, HeadPosition - Position);
}
