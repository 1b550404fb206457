namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// A checkpoint made ready for a gated restore (<see cref="CheckpointChainRestorer.PrepareGatedAsync"/>): its verified manifest,
/// the directory of full images to hand to the engine, where its page images came from, and the verification of those page
/// images, which runs while the engine restores and must succeed before the restored tasks may run.
/// </summary>
/// <param name="Source">Where the page images came from, for the agent's log: the bundle itself, the node's restore cache, or a chain decoded.</param>
/// <param name="VerifyPagesAsync">Throws <see cref="CheckpointBundleRejectedException"/> when a page image is not the signed one.</param>
public sealed record PreparedRestore(CheckpointManifest Manifest, string ImagesDirectory, string Source, Func<CancellationToken, Task> VerifyPagesAsync);
