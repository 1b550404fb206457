using System.Text.Encodings.Web;

namespace Caas.Web.Portal.Security;

/// <summary>The login form as plain HTML: it must work before any Blazor circuit exists, and posts with an antiforgery token.</summary>
internal static class LoginPage
{
    public static string Render(string cssPath, string antiforgeryField, string antiforgeryToken, string returnUrl, string? userName, string? problem)
    {
        var html = HtmlEncoder.Default;
        var error = problem is null ? "" : $"""<p class="error" data-testid="login-problem">{html.Encode(problem)}</p>""";
        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1.0" />
                <title>Log in · caas</title>
                <link rel="icon" href="data:," />
                <link rel="stylesheet" href="{{html.Encode(cssPath)}}" />
            </head>
            <body>
            <header class="topbar"><span class="brand">caas <span class="brand-sub">checkpointing as a service</span></span></header>
            <main class="content">
                <section class="panel login">
                    <h1>Log in</h1>
                    {{error}}
                    <form method="post" action="login">
                        <input type="hidden" name="{{html.Encode(antiforgeryField)}}" value="{{html.Encode(antiforgeryToken)}}" />
                        <input type="hidden" name="returnUrl" value="{{html.Encode(returnUrl)}}" />
                        <label>User <input name="user" autocomplete="username" required autofocus value="{{html.Encode(userName ?? "")}}" data-testid="login-user" /></label>
                        <label>Password <input name="password" type="password" autocomplete="current-password" required data-testid="login-password" /></label>
                        <button type="submit" class="button primary" data-testid="login-submit">Log in</button>
                    </form>
                    <p class="muted">On its first start the platform prints the admin's password once; ask an admin for an account.</p>
                </section>
            </main>
            </body>
            </html>
            """;
    }
}
