using System.CommandLine;

namespace Caas.Web.Cli;

/// <summary>
/// `caas completion bash`: prints a bash completion script. The script asks caas-cli itself what may come next
/// (System.CommandLine's [suggest:POSITION] directive, the one dotnet-suggest uses), so subcommands, options and the
/// values of choice options (states, sort fields) complete from the same definitions that parse them and never go stale.
/// </summary>
internal static class CompletionCommand
{
    /// <summary>The launcher's own verbs, handled before caas-cli runs.</summary>
    private static readonly string[] LauncherVerbs = ["up", "down", "test", "help"];

    public static Command Create(RootCommand root, TextWriter output)
    {
        var shell = new Argument<string>("shell") { Description = "The shell to write the script for (bash)." };
        shell.CompletionSources.Add("bash");
        shell.AcceptOnlyFromAmong("bash");
        var command = new Command("completion", "Print a shell completion script: eval \"$(./caas completion bash)\", or save it under /etc/bash_completion.d/caas.") { shell };
        command.SetAction(parse => output.Write(Bash()));
        return command;
    }

    // COMP_LINE holds the whole line as typed ("./caas list --st"); the directive wants it without the program name,
    // and COMP_POINT counted from there.
    public static string Bash() => $$"""
        # caas bash completion (from `caas completion bash`): asks caas-cli what may come next.
        _caas_complete() {
            local program="${COMP_WORDS[0]}" line="${COMP_LINE:0:COMP_POINT}"
            local rest="${line#"$program"}" words
            rest="${rest# }"
            if [[ ${COMP_CWORD} -eq 1 ]]; then
                words="{{string.Join("\n", LauncherVerbs)}}"
            fi
            local IFS=$'\n' suggestions
            suggestions="$("$program" "[suggest:${#rest}]" "$rest" 2>/dev/null)" || suggestions=""
            COMPREPLY=($(compgen -W "${suggestions}"$'\n'"${words}" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _caas_complete caas ./caas caas-cli

        """.Replace("\r\n", "\n");
}
