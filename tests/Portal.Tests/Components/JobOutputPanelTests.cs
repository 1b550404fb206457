using Caas.Web.Portal.Components.Pages;
using Caas.Web.Portal.Components.Shared;

namespace Caas.Portal.Tests.Components;

[Trait("Category", "Component")]
public sealed class JobOutputPanelTests : PortalTestContext
{
    private const string JobId = "job-000000000a";

    private IRenderedComponent<JobOutputPanel> RenderPanel() => Render<JobOutputPanel>(p => p.Add(c => c.JobId, JobId));

    [Fact]
    public void The_job_page_shows_the_last_lines_of_stdout_and_where_they_come_from()
    {
        Platform.Jobs.Add(SampleJobs.Running(JobId, "simulation", 0.42, SampleJobs.Start));
        Output.Write(JobId, string.Concat(Enumerable.Range(1, 80).Select(i => $"step {i}\n")));

        var cut = Render<JobDetails>(p => p.Add(c => c.Id, JobId));

        var text = cut.Find("[data-testid=job-output] [data-testid=output-text]").TextContent;
        Assert.Equal(Enumerable.Range(31, 50).Select(i => $"step {i}"), text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("node node-a", cut.Find("[data-testid=output-source]").TextContent, StringComparison.Ordinal);
        Assert.Contains($"caas logs {JobId}", cut.Find("[data-testid=output-source]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Stderr_is_one_click_away_and_the_choice_is_marked()
    {
        Output.Write(JobId, "computing\n");
        Output.Write(JobId, "warning: slow disk\n", JobOutputStream.Stderr);
        var cut = RenderPanel();

        cut.Find("[data-testid=output-stderr]").Click();

        Assert.Equal("warning: slow disk\n", cut.Find("[data-testid=output-text]").TextContent);
        Assert.Equal("true", cut.Find("[data-testid=output-stderr]").GetAttribute("aria-pressed"));
        Assert.Equal("false", cut.Find("[data-testid=output-stdout]").GetAttribute("aria-pressed"));
        Assert.Equal(JobOutputStream.Stderr, Output.Reads[^1].Query.Stream);
    }

    [Fact]
    public void New_output_appears_within_a_second_without_a_reload()
    {
        Output.Write(JobId, "first\n");
        var cut = RenderPanel();
        Assert.Equal("first\n", cut.Find("[data-testid=output-text]").TextContent);

        Output.Write(JobId, "second\n");
        Clock.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() => Assert.Equal("first\nsecond\n", cut.Find("[data-testid=output-text]").TextContent));
    }

    [Fact]
    public void A_job_that_has_not_run_says_why_there_is_no_output_and_an_empty_stream_says_so()
    {
        var cut = RenderPanel();
        Assert.Equal("The job has not run on a node yet, so it has no output.", cut.Find("[data-testid=output-empty]").TextContent);

        Output.Write(JobId, "only stdout\n");
        cut.Find("[data-testid=output-stderr]").Click();
        Assert.Equal("Nothing on stderr yet.", cut.Find("[data-testid=output-empty]").TextContent);
    }

    [Fact]
    public void A_node_that_does_not_answer_is_shown_as_a_problem_and_the_panel_recovers()
    {
        Output.Write(JobId, "before\n");
        Output.Failure = new OperationRejectedException(RejectionKind.Conflict, "Node node-a did not answer within 5 s.");
        var cut = RenderPanel();
        Assert.Equal("Cannot read the output now: Node node-a did not answer within 5 s.", cut.Find("[data-testid=output-problem]").TextContent);

        Output.Failure = null;
        Clock.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() =>
        {
            Assert.Empty(cut.FindAll("[data-testid=output-problem]"));
            Assert.Equal("before\n", cut.Find("[data-testid=output-text]").TextContent);
        });
    }
}
