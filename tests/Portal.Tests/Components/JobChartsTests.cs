using Caas.Web.Portal.Components.Shared;

namespace Caas.Portal.Tests.Components;

/// <summary>The job page's three charts from its heartbeats: CPU between samples, memory, reported progress.</summary>
[Trait("Category", "Component")]
public sealed class JobChartsTests : PortalTestContext
{
    [Fact]
    public void Turns_heartbeats_into_cpu_memory_and_progress()
    {
        var cut = Render<JobCharts>(p => p.Add(c => c.Samples, [
            new JobSamplePoint(SampleJobs.Start, 10, 1 << 20, 0.1),
            new JobSamplePoint(SampleJobs.Start.AddSeconds(2), 11, 2 << 20, 0.2),
            new JobSamplePoint(SampleJobs.Start.AddSeconds(4), 12.5, 3 << 20, 0.25),
        ]));

        Assert.Equal("75%", cut.Find("[data-testid=chart-cpu] [data-testid=chart-value]").TextContent);
        Assert.Equal("3.0 MiB", cut.Find("[data-testid=chart-memory] [data-testid=chart-value]").TextContent);
        Assert.Equal("25%", cut.Find("[data-testid=chart-progress] [data-testid=chart-value]").TextContent);
        Assert.Equal(3, cut.FindAll("[data-testid=chart-line]").Count);
    }

    [Fact]
    public void A_job_that_reports_no_progress_is_told_how_to_report_it()
    {
        var cut = Render<JobCharts>(p => p.Add(c => c.Samples, [
            new JobSamplePoint(SampleJobs.Start, 1, 1 << 20, null),
            new JobSamplePoint(SampleJobs.Start.AddSeconds(1), 2, 1 << 20, null),
        ]));

        Assert.Contains("CAAS_PROGRESS_FILE", cut.Find("[data-testid=chart-progress] [data-testid=chart-empty]").TextContent, StringComparison.Ordinal);
        Assert.Equal("Waiting for heartbeats…", Render<JobCharts>(p => p.Add(c => c.Samples, [])).Find("[data-testid=chart-progress] [data-testid=chart-empty]").TextContent);
    }
}
