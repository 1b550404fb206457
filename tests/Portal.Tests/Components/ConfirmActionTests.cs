using Caas.Web.Portal.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace Caas.Portal.Tests.Components;

/// <summary>The inline "are you sure" of destructive actions: nothing happens before the second answer, and the keyboard never loses its place.</summary>
[Trait("Category", "Component")]
public sealed class ConfirmActionTests : PortalTestContext
{
    private int confirmed;

    private IRenderedComponent<ConfirmAction> RenderKill(bool disabled = false) => Render<ConfirmAction>(p => p
        .Add(c => c.Label, "Kill")
        .Add(c => c.ConfirmText, "Yes, kill it")
        .Add(c => c.Question, (RenderFragment)(b => b.AddContent(0, "Kill the job? ")))
        .Add(c => c.OnConfirm, () => confirmed++)
        .Add(c => c.TestId, "action-kill")
        .Add(c => c.ConfirmationTestId, "kill-confirmation")
        .Add(c => c.Name, "Kill job-000000000a")
        .Add(c => c.Disabled, disabled));

    [Fact]
    public void The_first_click_only_asks_and_moves_the_focus_to_Cancel()
    {
        var cut = RenderKill();

        cut.Find("[data-testid=action-kill]").Click();

        Assert.Equal(0, confirmed);
        Assert.StartsWith("Kill the job?", cut.Find("[data-testid=kill-confirmation]").TextContent, StringComparison.Ordinal);
        Assert.Equal(["Cancel", "Yes, kill it"], cut.FindAll("[data-testid=kill-confirmation] button").Select(b => b.TextContent));
        Assert.Equal("Confirm: Kill job-000000000a", cut.Find("[data-testid=kill-confirmation]").GetAttribute("aria-label"));
        Assert.Equal("action-kill-cancel", Accessibility.LastFocused(cut, JSInterop).GetAttribute("data-testid"));
    }

    [Fact]
    public void Confirming_acts_once_and_gives_the_focus_back_to_the_button()
    {
        var cut = RenderKill();
        cut.Find("[data-testid=action-kill]").Click();

        cut.Find("[data-testid=action-kill-confirm]").Click();

        Assert.Equal(1, confirmed);
        Assert.Empty(cut.FindAll("[data-testid=kill-confirmation]"));
        Assert.Equal("action-kill", Accessibility.LastFocused(cut, JSInterop).GetAttribute("data-testid"));
    }

    [Theory]
    [InlineData("cancel")]
    [InlineData("escape")]
    public void Cancel_or_Escape_closes_the_question_without_acting(string how)
    {
        var cut = RenderKill();
        cut.Find("[data-testid=action-kill]").Click();

        if (how == "cancel")
            cut.Find("[data-testid=action-kill-cancel]").Click();
        else
            cut.Find("[data-testid=kill-confirmation]").KeyDown(new KeyboardEventArgs { Key = "Escape" });

        Assert.Equal(0, confirmed);
        Assert.Empty(cut.FindAll("[data-testid=kill-confirmation]"));
        Assert.Equal("action-kill", Accessibility.LastFocused(cut, JSInterop).GetAttribute("data-testid"));
    }

    [Fact]
    public void A_disabled_action_cannot_be_started()
    {
        var cut = RenderKill(disabled: true);

        Assert.True(cut.Find("[data-testid=action-kill]").HasAttribute("disabled"));
        Assert.Equal("Kill job-000000000a", cut.Find("[data-testid=action-kill]").GetAttribute("aria-label"));
    }
}
