using Caas.Capture.Engine;

namespace Caas.Capture.Tests;

[Trait("Category", "Unit")]
public sealed class PtyIndexHintTests
{
    [Fact]
    public void A_restore_that_could_not_get_its_pty_back_says_which_one_and_what_to_do()
    {
        var failed = new CommandResult(1, "", "caas-shim:        1: Error (criu/tty.c:625): tty: Unable to open dev/ptmx with specified index 3\n");

        var hint = CriuEngine.PtyIndexHint(failed);

        Assert.Contains("pseudo-terminal 3", hint);
        Assert.Contains("another node", hint);
    }

    [Fact]
    public void Other_restore_failures_get_no_pty_hint()
    {
        var failed = new CommandResult(1, "", "caas-shim:   Error (criu/cr-restore.c:2331): Restoring FAILED.\n");

        Assert.Equal("", CriuEngine.PtyIndexHint(failed));
    }
}
