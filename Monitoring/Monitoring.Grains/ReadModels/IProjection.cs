namespace Caas.Monitoring.Grains.ReadModels;

/// <summary>
/// A read model that the <see cref="ProjectionFeed"/> folds from $all and checkpoints: its state is saved as one text
/// with the position of the last event folded in, and restored from it at start.
/// </summary>
public interface IProjection
{
    /// <summary>Its name in the API, the CLI and the checkpoint table.</summary>
    string Name { get; }

    /// <summary>The layout of <see cref="SaveState"/>'s text with its version; a checkpoint of another layout is not restored.</summary>
    string StateType { get; }

    /// <summary>
    /// Projections whose state this one reads while it folds (the job list's jobs): they must never be ahead of it,
    /// so rebuilding this one rebuilds them too.
    /// </summary>
    IReadOnlyList<string> Reads { get; }

    /// <summary>Called by the feed between two events only.</summary>
    string SaveState();

    /// <summary>Replaces the state with a saved one.</summary>
    void RestoreState(string state);

    /// <summary>Forgets everything, as before the first event.</summary>
    void Reset();
}
