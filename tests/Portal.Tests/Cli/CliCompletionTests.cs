using System.Diagnostics;
using Caas.Web.Cli;

namespace Caas.Portal.Tests.Cli;

/// <summary>`caas completion bash` in a real bash, completing against the real caas-cli.</summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CliCompletionTests : IDisposable
{
    private readonly DirectoryInfo scratch = Directory.CreateTempSubdirectory("caas-completion-");

    public void Dispose() => scratch.Delete(recursive: true);

    private async Task<string> CompleteAsync(params string[] words)
    {
        var script = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await CliApp.RunAsync(["completion", "bash"], script, TextWriter.Null, environmentUrl: null));
        // A `caas` on PATH that runs the caas-cli these tests built, as the launcher does.
        var cli = Path.Combine(AppContext.BaseDirectory, "caas-cli.dll");
        var caas = Path.Combine(scratch.FullName, "caas");
        await File.WriteAllTextAsync(caas, $"#!/bin/sh\nexec dotnet '{cli}' \"$@\"\n");
        File.SetUnixFileMode(caas, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await File.WriteAllTextAsync(Path.Combine(scratch.FullName, "completion.bash"), script.ToString());
        var line = string.Join(' ', words);
        var quoted = string.Join(' ', words.Select(w => $"'{w}'"));
        var test = $$"""
            source '{{scratch.FullName}}/completion.bash'
            COMP_WORDS=({{quoted}})
            COMP_CWORD={{words.Length - 1}}
            COMP_LINE='{{line}}'
            COMP_POINT={{line.Length}}
            _caas_complete
            printf '%s\n' "${COMPREPLY[@]}"
            """;
        var start = new ProcessStartInfo("bash", ["-c", test]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PATH"] = scratch.FullName + ":" + Environment.GetEnvironmentVariable("PATH");
        using var bash = Process.Start(start)!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.Equal(0, bash.ExitCode);
        return output;
    }

    [Fact]
    public async Task Completes_commands_options_and_the_values_of_choice_options()
    {
        Assert.Equal(["checkpoint", "checkpoints"], (await CompleteAsync("caas", "che")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["--search", "--skip", "--sort", "--status"], (await CompleteAsync("caas", "list", "--s")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.Equal(["Restoring", "Running"], (await CompleteAsync("caas", "list", "--status", "R")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // The launcher's own verbs come first-word only.
        Assert.Contains("up", (await CompleteAsync("caas", "u")).Split('\n'));
    }
}
