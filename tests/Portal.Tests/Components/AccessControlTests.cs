using Caas.Web.Portal.Components.Layout;
using Caas.Web.Portal.Components.Pages;
using Caas.Web.Portal.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Portal.Tests.Components;

/// <summary>What each role sees and may do in the portal: viewers see no actions, and are refused if they act anyway.</summary>
[Trait("Category", "Component")]
public sealed class AccessControlTests : PortalTestContext
{
    private const string JobId = "job-000000000a";

    public AccessControlTests() =>
        Platform.Jobs.Add(SampleJobs.Running(JobId, "simulation", 0.42, SampleJobs.Start) with
        {
            Checkpoints = [SampleJobs.Checkpoint(1, 0.1, SampleJobs.Start.AddSeconds(10))],
        });

    [Fact]
    public void The_header_shows_who_is_logged_in_with_their_role_and_a_logout_form()
    {
        LogInAs("ada", CaasRoles.Admin);

        var cut = Render<MainLayout>();

        Assert.Equal("ada", cut.Find("[data-testid=current-user]").TextContent);
        Assert.Equal("admin", cut.Find("[data-testid=current-role]").TextContent);
        var form = cut.Find("[data-testid=logout]").Closest("form")!;
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal("logout", form.GetAttribute("action"));
        Assert.NotNull(cut.Find("[data-testid=nav-submit]"));
        Assert.NotNull(cut.Find("[data-testid=nav-users]"));
    }

    [Fact]
    public void A_viewer_sees_no_submit_link_in_the_header()
    {
        LogInAs("vera", CaasRoles.Viewer);

        var cut = Render<MainLayout>();

        Assert.Equal("viewer", cut.Find("[data-testid=current-role]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=nav-submit]"));
        Assert.Empty(cut.FindAll("[data-testid=nav-users]"));
    }

    [Fact]
    public void A_viewer_sees_the_job_but_no_action_buttons()
    {
        LogInAs("vera", CaasRoles.Viewer);

        var cut = Render<JobDetails>(p => p.Add(c => c.Id, JobId));

        Assert.Equal("Running", cut.Find("[data-testid=job-status]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=action-checkpoint]"));
        Assert.Empty(cut.FindAll("[data-testid=action-kill]"));
        Assert.Empty(cut.FindAll("[data-testid=action-restore]"));
        Assert.Equal("Your role may look but not act on jobs; an admin can give you the operator role.",
            cut.Find("[data-testid=actions-not-allowed]").TextContent);
    }

    [Fact]
    public void An_operator_sees_the_action_buttons()
    {
        var cut = Render<JobDetails>(p => p.Add(c => c.Id, JobId));

        Assert.NotNull(cut.Find("[data-testid=action-checkpoint]"));
        Assert.NotNull(cut.Find("[data-testid=action-kill]"));
        Assert.Empty(cut.FindAll("[data-testid=actions-not-allowed]"));
    }

    [Fact]
    public void A_viewer_gets_no_submit_form_and_no_demo_button()
    {
        LogInAs("vera", CaasRoles.Viewer);

        var submit = Render<SubmitJob>();
        Platform.Jobs.Clear();
        var list = Render<JobList>();

        Assert.Empty(submit.FindAll("[data-testid=submit-form]"));
        Assert.NotNull(submit.Find("[data-testid=submit-not-allowed]"));
        Assert.Empty(list.FindAll("[data-testid=run-demo]"));
        Assert.NotNull(list.Find("[data-testid=demo-not-allowed]"));
    }

    [Fact]
    public async Task The_server_refuses_a_viewers_action_even_without_the_buttons()
    {
        LogInAs("vera", CaasRoles.Viewer);
        var actions = Services.GetRequiredService<JobActions>();

        var kill = await Assert.ThrowsAsync<OperationRejectedException>(() => actions.KillAsync(JobId));
        var submit = await Assert.ThrowsAsync<OperationRejectedException>(() => actions.SubmitAsync(new JobSpec { Command = "/usr/bin/true" }));
        await Assert.ThrowsAsync<OperationRejectedException>(() => actions.CheckpointAsync(JobId, leaveRunning: true));
        await Assert.ThrowsAsync<OperationRejectedException>(() => actions.RestoreAsync(JobId, 1));

        Assert.Equal(RejectionKind.Forbidden, kill.Kind);
        Assert.Equal(RejectionKind.Forbidden, submit.Kind);
        Assert.Equal("vera has the role viewer, which may look but not kill jobs; an admin can give you the operator role.", kill.Message);
        Assert.Equal("vera has the role viewer, which may look but not submit jobs; an admin can give you the operator role.", submit.Message);
        Assert.Empty(Platform.KillCalls);
        Assert.Empty(Platform.Submitted);
        Assert.Empty(Platform.CheckpointCalls);
        Assert.Empty(Platform.RestoreCalls);
    }

    [Fact]
    public async Task An_operators_action_goes_through()
    {
        var actions = Services.GetRequiredService<JobActions>();

        await actions.KillAsync(JobId);

        Assert.Equal([JobId], Platform.KillCalls);
    }
}
