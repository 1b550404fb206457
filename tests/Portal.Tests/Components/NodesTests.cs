using Caas.Web.Portal.Components.Pages;
using Caas.Web.Portal.Security;

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
        Assert.Equal(["node-a", "cloud-1", "4", "3", "criu 4.2.1", "1 s ago"], rows[0].QuerySelectorAll("td").Take(6).Select(td => td.TextContent.Trim()));
        Assert.Equal("unusable: criu check failed: Unexpected rt vDSO area bounds", rows[1].QuerySelector("[data-testid=node-engine-problem]")!.TextContent);
    }

    [Fact]
    public void Shows_each_nodes_health_drain_state_capacity_and_labels()
    {
        Platform.Nodes.Add(new NodeStatus
        {
            NodeId = "node-a", Pool = "onprem", JobSlots = 4, Engine = "criu 4.2.1", Health = NodeHealth.Lost, Drained = true,
            Cores = 2, MemoryBytes = 8L << 30, Labels = new Dictionary<string, string> { ["zone"] = "eu-1", ["gpu"] = "a100" },
        });

        var cells = Render<Nodes>().Find("[data-testid=node-row]").QuerySelectorAll("td").Skip(6).Take(3).Select(td => td.TextContent.Trim());

        Assert.Equal(["lost, drained", "2 cores, 8.0 GiB", "gpu=a100, zone=eu-1"], cells);
    }

    [Fact]
    public void An_operator_drains_a_node_only_after_confirming_and_can_undrain_it()
    {
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-a", Pool = "onprem", JobSlots = 4, RunningJobs = 2, Engine = "criu 4.2.1" });
        var cut = Render<Nodes>();

        cut.Find("[data-testid=node-drain]").Click();
        Assert.Contains("the 2 it runs keep running", cut.Find("[data-testid=drain-confirmation]").TextContent);
        cut.Find("[data-testid=node-drain-cancel]").Click();
        Assert.False(Platform.Nodes.Single().Drained);

        cut.Find("[data-testid=node-drain]").Click();
        cut.Find("[data-testid=node-drain-confirm]").Click();

        Assert.True(Platform.Nodes.Single().Drained);
        cut.WaitForAssertion(() => Assert.Equal("live, drained", cut.Find("[data-testid=node-state]").TextContent.Trim()));
        Assert.Equal("Node node-a drained: it takes no new jobs.", cut.Find("[data-testid=node-action-notice]").TextContent);
        cut.Find("[data-testid=node-undrain]").Click();
        Assert.False(Platform.Nodes.Single().Drained);
    }

    [Fact]
    public void A_viewer_sees_no_drain_button()
    {
        LogInAs("vera", CaasRoles.Viewer);
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-a", Pool = "onprem", JobSlots = 4, Engine = "criu 4.2.1" });

        var cut = Render<Nodes>();

        Assert.Empty(cut.FindAll("[data-testid=node-drain]"));
    }

    [Fact]
    public void Explains_an_empty_cluster()
    {
        var cut = Render<Nodes>();

        Assert.Contains("No agent has sent a heartbeat yet.", cut.Find("[data-testid=no-nodes]").TextContent);
    }

    [Fact]
    public void Each_node_shows_the_kernel_and_cpu_model_its_probe_found()
    {
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-a", Engine = "criu 4.2.1", KernelVersion = "6.18.0-1-amd64", CpuModel = "AMD EPYC 7B13", LastHeartbeatAt = SampleJobs.Start });
        Platform.Nodes.Add(new NodeStatus { NodeId = "node-b", Engine = "criu 4.2.1", LastHeartbeatAt = SampleJobs.Start });

        var cut = Render<Nodes>();

        var machines = cut.FindAll("[data-testid=node-machine]");
        Assert.Equal(("Linux 6.18.0-1-amd64", "AMD EPYC 7B13"),
            (machines[0].QuerySelector("[data-testid=node-kernel]")!.TextContent, machines[0].QuerySelector("[data-testid=node-cpu]")!.TextContent));
        Assert.Equal("", machines[1].TextContent.Trim());
    }
}
