using Caas.Capture.Engine.Cpu;

namespace Caas.Capture.Tests;

[Trait("Category", "Unit")]
public sealed class CpuInfoTests
{
    /// <summary>Two cores of one x86 machine, trimmed; the second lacks avx512f, as on a hybrid CPU.</summary>
    public const string XeonText = """
        processor	: 0
        vendor_id	: GenuineIntel
        model name	: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz
        flags		: fpu vme sse sse2 avx avx2 avx512f aes
        bugs		: spectre_v1

        processor	: 1
        vendor_id	: GenuineIntel
        model name	: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz
        flags		: fpu vme sse sse2 avx avx2 aes
        bugs		: spectre_v1

        """;

    public const string EpycText = """
        processor	: 0
        vendor_id	: AuthenticAMD
        model name	: AMD EPYC 7B13
        flags		: fpu sse sse2 avx aes sha_ni
        """;

    [Fact]
    public void Flags_are_those_every_processor_has_and_bug_lines_are_not_flags()
    {
        var cpu = CpuInfo.Parse(XeonText);

        Assert.Equal("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", cpu.Model);
        Assert.Equal(["aes", "avx", "avx2", "fpu", "sse", "sse2", "vme"], cpu.Flags);
    }

    [Fact]
    public void Arm_features_count_as_flags()
    {
        var cpu = CpuInfo.Parse("processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd aes crc32\nCPU implementer\t: 0x41\n");

        Assert.Equal(CpuInfo.UnknownModel, cpu.Model);
        Assert.Equal(["aes", "asimd", "crc32", "fp"], cpu.Flags);
    }

    [Fact]
    public void This_nodes_cpuinfo_reads_with_a_model_and_flags()
    {
        var cpu = CpuInfo.ReadThisNode();

        Assert.NotEqual(CpuInfo.UnknownModel, cpu.Model);
        Assert.Contains("fpu", cpu.Flags);
    }
}
