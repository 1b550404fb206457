using Caas.Monitoring.Grains;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class ExitDescriptionTests
{
    [Theory]
    [InlineData(3, null, null, "exit code 3")]
    [InlineData(null, 9, null, "killed by signal 9 (SIGKILL)")]
    [InlineData(null, 64, null, "killed by signal 64")]
    [InlineData(null, null, null, "ended without an exit status")]
    [InlineData(null, null, "criu restore failed", "ended without an exit status: criu restore failed")]
    [InlineData(0, null, "ignored when a code tells", "exit code 0")]
    public void Says_how_a_process_ended(int? code, int? signal, string? agentReason, string expected) =>
        Assert.Equal(expected, ExitDescription.Of(code, signal, agentReason));

    [Fact]
    public void An_agent_reason_is_bounded_before_it_goes_into_the_stream()
    {
        var described = ExitDescription.Of(null, null, new string('x', 10_000));

        Assert.Equal("ended without an exit status: ".Length + 500 + 1, described.Length);
        Assert.EndsWith("x…", described);
    }

    [Fact]
    public void An_out_of_memory_kill_names_the_OOM_killer_and_the_limit()
    {
        Assert.Equal("killed by the kernel's OOM killer (signal 9, SIGKILL): the job reached its memory limit of 32 MiB", ExitDescription.OutOfMemory(32L << 20));
        Assert.Equal("killed by the kernel's OOM killer (signal 9, SIGKILL): the job ran out of memory", ExitDescription.OutOfMemory(null));
    }
}
