using Caas.Capture.Engine.Cpu;

namespace Caas.Capture.Tests;

[Trait("Category", "Unit")]
public sealed class RestoreCompatibilityTests
{
    private static readonly CpuInfo Xeon = CpuInfo.Parse(CpuInfoTests.XeonText);
    private static readonly CpuInfo Epyc = CpuInfo.Parse(CpuInfoTests.EpycText);

    [Fact]
    public void The_same_cpu_and_engine_are_compatible()
    {
        Assert.Null(RestoreCompatibility.Problem(Xeon, "criu 4.2.1", Xeon, "criu 4.2.1"));
    }

    [Fact]
    public void A_target_lacking_flags_the_images_node_had_is_refused_naming_them()
    {
        Assert.Equal(
            "this node's CPU (AMD EPYC 7B13) lacks 2 CPU flag(s) that the image's node (Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz) had: avx2 vme",
            RestoreCompatibility.Problem(Xeon, "criu 4.2.1", Epyc, "criu 4.2.1"));
    }

    [Fact]
    public void Extra_flags_on_the_target_do_not_matter()
    {
        var modest = CpuInfo.Parse("model name\t: Old\nflags\t\t: fpu sse sse2\n");

        Assert.Null(RestoreCompatibility.Problem(modest, "criu 4.2.1", Epyc, "criu 4.2.1"));
    }

    [Theory]
    [InlineData("criu 4.2.1", "criu 4.1.1", null)]
    [InlineData("criu 4.2.1", "criu 5.0", null)]
    [InlineData("criu 4.2.1", "criu 3.17", "this node's engine (criu 3.17) is an older major version than the image's (criu 4.2.1)")]
    [InlineData("criu 4.2.1", "criu (unknown version)", "this node's engine \"criu (unknown version)\" has no readable version")]
    [InlineData("criu", "criu 4.2.1", "the image's engine \"criu\" has no readable version")]
    [InlineData("criu 4.2.1", null, "this node's engine version is unknown, so it cannot be compared with the image's")]
    [InlineData("other 4.2", "criu 4.2.1", "the image was written by other 4.2, this node runs criu 4.2.1")]
    public void Engine_versions_are_compared_by_major_version(string imageEngine, string? targetEngine, string? problem)
    {
        Assert.Equal(problem, RestoreCompatibility.Problem(Epyc, imageEngine, Epyc, targetEngine));
    }

    [Fact]
    public void An_older_engine_is_named_before_missing_flags()
    {
        Assert.Equal("this node's engine (criu 3.17) is an older major version than the image's (criu 4.2.1)",
            RestoreCompatibility.Problem(Xeon, "criu 4.2.1", Epyc, "criu 3.17"));
    }
}
