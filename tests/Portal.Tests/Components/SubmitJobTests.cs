using Caas.Web.Portal.Components.Pages;

namespace Caas.Portal.Tests.Components;

[Trait("Category", "Component")]
public sealed class SubmitJobTests : PortalTestContext
{
    [Fact]
    public void Submitting_without_a_command_shows_the_problem_next_to_the_field_and_sends_nothing()
    {
        var cut = Render<SubmitJob>();

        cut.Find("form").Submit();

        Assert.Equal("'command' is empty: give the program to run, e.g. \"/usr/bin/sleep\".", cut.Find("[data-testid=problem-command]").TextContent);
        Assert.Empty(Platform.Submitted);
    }

    [Fact]
    public void Problems_show_as_soon_as_a_field_is_left_wrong()
    {
        var cut = Render<SubmitJob>();

        cut.Find("[data-testid=field-env]").Change("GOOD=1\nBROKEN");
        cut.Find("[data-testid=field-stall]").Change("soon");
        cut.Find("[data-testid=field-workdir]").Change("relative/dir");

        Assert.Equal("Line 2 \"BROKEN\" is not KEY=VALUE.", cut.Find("[data-testid=problem-env]").TextContent);
        Assert.Equal("Give the stall threshold as a number of seconds, e.g. 300.", cut.Find("[data-testid=problem-stallThreshold]").TextContent);
        Assert.Equal("'workingDirectory' must be an absolute path.", cut.Find("[data-testid=problem-workingDirectory]").TextContent);
        // The command was never touched, so it does not nag yet.
        Assert.Empty(cut.FindAll("[data-testid=problem-command]"));
    }

    [Fact]
    public void A_screen_reader_hears_a_fields_problem_with_the_field_and_knows_it_is_invalid()
    {
        var cut = Render<SubmitJob>();

        cut.Find("[data-testid=field-stall]").Change("soon");

        var stall = cut.Find("[data-testid=field-stall]");
        Assert.Equal("true", stall.GetAttribute("aria-invalid"));
        var description = cut.Find($"[id='{stall.GetAttribute("aria-describedby")}']");
        Assert.Equal("Give the stall threshold as a number of seconds, e.g. 300.", description.TextContent.Trim());
        Assert.Equal("polite", description.GetAttribute("aria-live"));
        // A field without problems is not marked invalid, and says nothing.
        var command = cut.Find("[data-testid=field-command]");
        Assert.Null(command.GetAttribute("aria-invalid"));
        Assert.Equal("", cut.Find($"[id='{command.GetAttribute("aria-describedby")}']").TextContent.Trim());
    }

    [Fact]
    public void A_too_small_stall_threshold_is_refused_with_the_platform_s_minimum()
    {
        var cut = Render<SubmitJob>();

        cut.Find("[data-testid=field-stall]").Change("1");

        Assert.Equal("'stallThreshold' must be at least 2 seconds.", cut.Find("[data-testid=problem-stallThreshold]").TextContent);
    }

    [Fact]
    public void A_valid_form_submits_the_spec_and_opens_the_job_page()
    {
        var cut = Render<SubmitJob>();

        cut.Find("[data-testid=field-command]").Change("/usr/bin/python3");
        cut.Find("[data-testid=field-args]").Change("train.py\n--name\nmy model\n\n--epochs=4");
        cut.Find("[data-testid=field-env]").Change("OMP_NUM_THREADS=4\r\nEMPTY=");
        cut.Find("[data-testid=field-workdir]").Change("/srv/work");
        cut.Find("[data-testid=field-name]").Change("training");
        cut.Find("[data-testid=field-stall]").Change("90");
        cut.Find("[data-testid=field-onstall]").Change(nameof(StallAction.AlertOnly));
        cut.Find("form").Submit();

        var spec = Assert.Single(Platform.Submitted);
        Assert.Equal("/usr/bin/python3", spec.Command);
        Assert.Equal(["train.py", "--name", "my model", "--epochs=4"], spec.Args);
        Assert.Equal(new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "4", ["EMPTY"] = "" }, spec.Env);
        Assert.Equal("/srv/work", spec.WorkingDirectory);
        Assert.Equal("training", spec.Name);
        Assert.Equal(TimeSpan.FromSeconds(90), spec.StallThreshold);
        Assert.Equal(StallAction.AlertOnly, spec.OnStall);
        Assert.Equal($"/jobs/{Platform.Jobs.Single().JobId}", CurrentPath);
    }

    [Fact]
    public void A_refusal_by_the_platform_is_shown_in_words()
    {
        Platform.RejectNext = new OperationRejectedException(RejectionKind.Invalid, "No pool named 'gpu' exists.");
        var cut = Render<SubmitJob>();

        cut.Find("[data-testid=field-command]").Change("/usr/bin/true");
        cut.Find("form").Submit();

        Assert.Equal("The platform refused the job: No pool named 'gpu' exists.", cut.Find("[data-testid=submit-error]").TextContent);
        Assert.Equal("/", CurrentPath);
    }
}
