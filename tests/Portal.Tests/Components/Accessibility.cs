using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;

namespace Caas.Portal.Tests.Components;

/// <summary>
/// What assistive technology would make of rendered markup, simplified to the rules the portal relies on: a control's
/// name comes from aria-label, aria-labelledby, its wrapping or for= label, its text, or its title; focus moved by the
/// page is the element of the last FocusAsync call.
/// </summary>
public static class Accessibility
{
    public static string AccessibleName(IElement element)
    {
        if (element.GetAttribute("aria-label") is { Length: > 0 } label)
            return label.Trim();
        if (element.GetAttribute("aria-labelledby") is { Length: > 0 } ids)
            return string.Join(' ', ids.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(id => Root(element).QuerySelector($"[id='{id}']")?.TextContent.Trim() ?? ""));
        if (element.LocalName is "input" or "select" or "textarea")
        {
            if (element.Closest("label") is { } wrapping)
                return wrapping.TextContent.Trim();
            if (element.Id is { Length: > 0 } id && Root(element).QuerySelector($"label[for='{id}']") is { } forLabel)
                return forLabel.TextContent.Trim();
            return element.GetAttribute("title")?.Trim() ?? "";
        }
        return element.TextContent.Trim() is { Length: > 0 } text ? text : element.GetAttribute("title")?.Trim() ?? "";
    }

    // bUnit's markup is a fragment, not a document: look ids up from its topmost node.
    private static IParentNode Root(IElement element)
    {
        INode node = element;
        while (node.Parent is { } parent)
            node = parent;
        return (IParentNode)node;
    }

    /// <summary>The controls of the markup that have no accessible name, described for an assertion message.</summary>
    public static IReadOnlyList<string> UnnamedControls<T>(IRenderedComponent<T> cut) where T : IComponent =>
        cut.FindAll("button, input:not([type=hidden]), select, textarea, a[href]")
            .Where(e => AccessibleName(e).Length == 0)
            .Select(e => e.OuterHtml.Length > 160 ? e.OuterHtml[..160] : e.OuterHtml)
            .ToArray();

    /// <summary>Tables whose columns lack a header, or with a header cell that says nothing.</summary>
    public static IReadOnlyList<string> TablesWithoutHeaders<T>(IRenderedComponent<T> cut) where T : IComponent =>
        cut.FindAll("table")
            .Where(t => t.QuerySelectorAll("thead th").Length == 0 || t.QuerySelectorAll("thead th").Any(th => AccessibleName(th).Length == 0))
            .Select(t => t.GetAttribute("data-testid") ?? t.OuterHtml[..Math.Min(80, t.OuterHtml.Length)])
            .ToArray();

    /// <summary>The reference id of the element the page last moved the keyboard's focus to.</summary>
    public static string LastFocusedReferenceId(BunitJSInterop js) =>
        Assert.IsType<ElementReference>(js.Invocations.Last(i => i.Identifier == "Blazor._internal.domWrapper.focus").Arguments[0]).Id;

    /// <summary>The element the page last moved the keyboard's focus to (one rendered anew since it was captured).</summary>
    public static IElement LastFocused<T>(IRenderedComponent<T> cut, BunitJSInterop js) where T : IComponent
    {
        return cut.Find($"[blazor\\:elementReference='{LastFocusedReferenceId(js)}']");
    }
}
