namespace Caas.Capture.Engine.Bundles.Dedup;

/// <summary>
/// Consecutive pages of an image: <paramref name="PageCount"/> pages taken from page <paramref name="FirstPage"/> of
/// the parent image numbered <paramref name="Source"/>, or, when Source is <see cref="PageDelta.NewPagesSource"/>, of the new pages stored in the delta.
/// </summary>
public readonly record struct PageRun(int Source, long FirstPage, long PageCount);
