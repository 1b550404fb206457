using Caas.Web.Portal.Components.Pages;

namespace Caas.Portal.Tests.Components;

[Trait("Category", "Component")]
public sealed class NodesTests : PortalTestContext
{
    [Fact]
    public void Lists_nodes_with_their_engine_or_why_it_is_unusable()
    {
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-b", Pool = "cloud-2", JobSlots = 2, RunningJobs = 0, EngineProblem = "criu check failed: Unexpected rt vDSO area bounds", LastHeartbeatAt = SampleJobs.Start.AddSeconds(58) });
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-a", Pool = "cloud-1", JobSlots = 4, RunningJobs = 3, Engine = "criu 4.2.1", LastHeartbeatAt = SampleJobs.Start.AddSeconds(59) });

        var cut = Render<Nodes>();

        var rows = cut.FindAll("[data-testid=node-row]");
        Assert.Equal(["node-a", "cloud-1", "4", "3", "criu 4.2.1", "1 s ago"], rows[0].QuerySelectorAll("td").Select(td => td.TextContent.Trim()));
        Assert.Equal("unusable: criu check failed: Unexpected rt vDSO area bounds", rows[1].QuerySelector("[data-testid=node-engine-problem]")!.TextContent);
    }

    [Fact]
    public void Explains_an_empty_cluster()
    {
        var cut = Render<Nodes>();

        Assert.Contains("No agent has sent a heartbeat yet.", cut.Find("[data-testid=no-nodes]").TextContent);
    }
}
