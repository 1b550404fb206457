using Caas.Capture.Engine.Bundles;

namespace Caas.Capture.Tests;

[Trait("Category", "Unit")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ImageKeyFileTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void The_first_load_creates_32_random_bytes_readable_by_the_owner_only_and_later_loads_read_the_same_key()
    {
        var path = _directory.Combine("keys", "image.key");

        var (created, wasCreated) = ImageKeyFile.LoadOrCreate(path);
        var (again, createdAgain) = ImageKeyFile.LoadOrCreate(path);

        Assert.True(wasCreated);
        Assert.False(createdAgain);
        Assert.Equal(32, created.Length);
        Assert.Equal(created, again);
        Assert.Equal(created, File.ReadAllBytes(path));
        Assert.NotEqual(new byte[32], created);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["image.key"], Directory.GetFiles(_directory.Combine("keys")).Select(Path.GetFileName));
    }

    [Fact]
    public void Two_nodes_get_different_keys_unless_they_share_the_file()
    {
        var (first, _) = ImageKeyFile.LoadOrCreate(_directory.Combine("a.key"));
        var (second, _) = ImageKeyFile.LoadOrCreate(_directory.Combine("b.key"));

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Agents_starting_at_once_all_end_up_with_one_key()
    {
        var path = _directory.Combine("image.key");

        var keys = Enumerable.Range(0, 8).AsParallel().Select(_ => ImageKeyFile.LoadOrCreate(path)).ToList();

        Assert.Single(keys, k => k.Created);
        Assert.All(keys, k => Assert.Equal(File.ReadAllBytes(path), k.Key));
    }

    [Fact]
    public void A_key_file_open_to_others_is_refused_and_left_as_it_is()
    {
        var path = _directory.Combine("image.key");
        File.WriteAllBytes(path, new byte[32]);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var refused = Assert.Throws<InvalidOperationException>(() => ImageKeyFile.LoadOrCreate(path));

        Assert.Equal($"the image key file {path} is accessible to group or others (mode 604); run: chmod 600 {path}", refused.Message);
        Assert.Equal(new byte[32], File.ReadAllBytes(path));
    }

    [Fact]
    public void A_key_file_of_the_wrong_size_is_refused_not_replaced()
    {
        var path = _directory.Combine("image.key");
        File.WriteAllBytes(path, new byte[10]);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var refused = Assert.Throws<InvalidOperationException>(() => ImageKeyFile.LoadOrCreate(path));

        Assert.StartsWith($"the image key file {path} holds 10 bytes, not 32; ", refused.Message);
        Assert.Equal(10, new FileInfo(path).Length);
    }

    [Fact]
    public void A_key_file_that_is_a_symbolic_link_is_refused()
    {
        var path = _directory.Combine("image.key");
        File.CreateSymbolicLink(path, "/nonexistent/elsewhere.key");

        var refused = Assert.Throws<InvalidOperationException>(() => ImageKeyFile.LoadOrCreate(path));

        Assert.Equal($"the image key file {path} is a symbolic link; it must be a regular file", refused.Message);
    }

    [Fact]
    public void A_relative_key_path_is_refused()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => ImageKeyFile.LoadOrCreate("image.key"));

        Assert.Equal("the image key file must be an absolute path, not \"image.key\"", refused.Message);
    }
}
