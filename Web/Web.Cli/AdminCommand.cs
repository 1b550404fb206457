using System.CommandLine;
using System.Globalization;
using Caas.Contracts.Views;

namespace Caas.Web.Cli;

/// <summary>`caas-cli admin projections|rebuild-projections`: the read models' lag, and rebuilding them from the event store (admins).</summary>
internal static class AdminCommand
{
    /// <summary>How often a rebuild's progress is asked for while the CLI waits for it.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static Command Create(Option<string> url, Option<bool> json, Func<string?> token, TextWriter output, TextWriter error)
    {
        var projections = new Command("projections", "List the read models' projections: position, head, lag in events and age, last save.") { json };
        projections.SetAction((parse, ct) => CliApp.Run(parse, url, token(), output, error, async api =>
        {
            var text = await api.GetAsync("projections", ct);
            if (parse.GetValue(json))
                CliApp.WriteJson(output, text);
            else
                TextOutput.Projections(output, PlatformApi.Read<List<ProjectionView>>(text));
        }));

        var name = new Argument<string?>("name") { Description = "The projection to rebuild (jobs, checkpoints, alerts); all when left out.", Arity = ArgumentArity.ZeroOrOne };
        var noWait = new Option<bool>("--no-wait") { Description = "Start the rebuild and return; `caas admin projections` shows its progress." };
        var rebuild = new Command("rebuild-projections", "Fold read models again from the event store's position 0 (with the projections they read), showing progress until done.")
        {
            name, noWait,
        };
        rebuild.SetAction((parse, ct) => CliApp.Run(parse, url, token(), output, error, async api =>
        {
            var which = parse.GetValue(name);
            var path = which is null ? "projections/rebuild" : $"projections/{Uri.EscapeDataString(which)}/rebuild";
            var started = PlatformApi.Read<List<ProjectionView>>(await api.PostAsync(path, null, ct));
            output.WriteLine($"Rebuilding {string.Join(", ", started.Select(v => v.Name))} from position 0 up to {started.Max(v => v.RebuildTarget)}.");
            if (parse.GetValue(noWait))
                return;
            var names = started.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
            var shown = new Dictionary<string, long>(StringComparer.Ordinal);
            while (true)
            {
                var now = PlatformApi.Read<List<ProjectionView>>(await api.GetAsync("projections", ct)).Where(v => names.Contains(v.Name)).ToList();
                foreach (var view in now.Where(v => v.Rebuilding && (!shown.TryGetValue(v.Name, out var at) || at != v.Position)))
                {
                    shown[view.Name] = view.Position;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {view.Name}: {view.Position} / {view.RebuildTarget} ({(view.RebuildTarget > 0 ? 100.0 * view.Position / view.RebuildTarget : 100):0}%)"));
                }
                if (now.All(v => !v.Rebuilding))
                {
                    output.WriteLine($"Rebuilt {string.Join(", ", now.Select(v => $"{v.Name} (at {v.Position}, lag {v.Lag})"))}.");
                    return;
                }
                await Task.Delay(PollInterval, ct);
            }
        }));

        return new Command("admin", "Platform administration (admins only).") { projections, rebuild };
    }
}
