using Caas.Capture.Engine.Bundles.Compression;

namespace Caas.Capture.Tests;

[Trait("Category", "Unit")]
public sealed class ZstdImagesTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string File(string name, byte[] content)
    {
        var path = _directory.Combine(name);
        System.IO.File.WriteAllBytes(path, content);
        return path;
    }

    private static byte[] Text(int bytes) =>
        System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, bytes / 10 + 1).Select(i => $"line {i % 1000,4}\n")))[..bytes];

    [Fact]
    public async Task A_file_round_trips_through_compression()
    {
        var original = Text(3 << 20);
        var compressed = _directory.Combine("text.zst");

        await ZstdImages.CompressAsync(File("text", original), compressed, CancellationToken.None);
        using var output = new MemoryStream();
        await using (var input = System.IO.File.OpenRead(compressed))
            await ZstdImages.DecompressAsync(input, output, original.Length, CancellationToken.None);

        Assert.True(new FileInfo(compressed).Length < original.Length / 10);
        Assert.Equal(original, output.ToArray());
    }

    [Fact]
    public void Random_bytes_are_judged_not_worth_compressing_and_text_is()
    {
        var random = new byte[8 << 20];
        new Random(7).NextBytes(random);

        Assert.False(CompressibilityProbe.IsWorthCompressing(File("random", random)));
        Assert.True(CompressibilityProbe.IsWorthCompressing(File("text", Text(8 << 20))));
        Assert.False(CompressibilityProbe.IsWorthCompressing(File("empty", [])));
    }

    [Fact]
    public void Memory_that_is_random_but_for_a_compressible_first_megabyte_is_still_judged_incompressible()
    {
        // Like a job whose libraries' data come first in its page image and whose 1 GiB of state is random.
        var mostlyRandom = new byte[16 << 20];
        new Random(7).NextBytes(mostlyRandom);
        Text(1 << 20).CopyTo(mostlyRandom, 0);

        Assert.False(CompressibilityProbe.IsWorthCompressing(File("mostly-random", mostlyRandom)));
    }

    [Fact]
    public async Task A_small_declared_size_stops_a_large_expansion_early()
    {
        // 64 MiB of zeros: a few KiB compressed; declared as 1 MiB, as a crafted manifest would.
        var compressed = _directory.Combine("zeros.zst");
        await ZstdImages.CompressAsync(File("zeros", new byte[64 << 20]), compressed, CancellationToken.None);
        var written = new MemoryStream();

        await using var input = System.IO.File.OpenRead(compressed);
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => ZstdImages.DecompressAsync(input, written, 1 << 20, CancellationToken.None));

        Assert.Equal($"it decompresses to more than the {1 << 20} bytes declared", refused.Message);
        Assert.True(written.Length <= 1 << 20, $"{written.Length} bytes were written");
    }
}
