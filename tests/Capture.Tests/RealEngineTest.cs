using Caas.Capture.Engine;
using Caas.Capture.Engine.Progress;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Tests;

/// <summary>
/// The CRIU engine with the real shim and CRIU, a progress channel the jobs report to, and a directory for their state
/// and images; every job a test started is killed afterwards.
/// </summary>
public abstract class RealEngineTest : IAsyncLifetime
{
    protected TemporaryDirectory Scratch { get; } = new();
    protected ProgressChannel Channel { get; } = new(TimeProvider.System, NullLogger<ProgressChannel>.Instance);
    protected CriuEngine Engine { get; } = new(Options.Create(new CaptureOptions { ShimPath = NativeBinaries.Shim, CriuPath = NativeBinaries.Criu }), NullLogger<CriuEngine>.Instance);
    /// <summary>Jobs to kill when the test ends.</summary>
    protected List<JobHandle> Started { get; } = [];

    public Task InitializeAsync()
    {
        Channel.Bind(Scratch.Combine("progress.sock"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var job in Started)
            Engine.Kill(job);
        await Channel.DisposeAsync();
        Scratch.Dispose();
    }
}
