namespace Caas.Capture.Tests;

/// <summary>A test class that starts a fresh pair of agents (<see cref="TransferAgents"/>) for each test and stops it afterwards.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public abstract class TwoAgentTest : IAsyncLifetime
{
    protected TransferAgents Agents { get; private set; } = null!;
    protected TransferAgents.Agent Source => Agents.Source;
    protected TransferAgents.Agent Target => Agents.Target;

    public virtual async Task InitializeAsync() => Agents = await TransferAgents.StartAsync();

    public virtual async Task DisposeAsync() => await Agents.DisposeAsync();
}
