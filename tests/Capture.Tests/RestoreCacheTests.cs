using Caas.Capture.Agent;
using Caas.Capture.Agent.Jobs;
using Microsoft.Extensions.Options;

namespace Caas.Capture.Tests;

/// <summary>The node's restore cache keeps one checkpoint per job: the newest sealed one, and only while its bundle exists.</summary>
[Trait("Category", "Unit")]
public sealed class RestoreCacheTests : IDisposable
{
    private const string Job = "job-00000000aa";
    private readonly TemporaryDirectory _directory = new();
    private readonly RestoreCache _cache;

    public RestoreCacheTests() => _cache = new RestoreCache(new AgentPaths(Options.Create(new AgentOptions { DataDirectory = _directory.Path })));

    public void Dispose() => _directory.Dispose();

    private void Incoming(int sequence, string content)
    {
        var image = Path.Combine(_cache.Incoming(Job, sequence), "images", "pages-1.img");
        Directory.CreateDirectory(Path.GetDirectoryName(image)!);
        File.WriteAllText(image, content);
    }

    private string[] Sequences() => [.. Directory.GetDirectories(Path.GetDirectoryName(_cache.DirectoryFor(Job, 1))!).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public void A_sealed_checkpoint_replaces_the_cache_of_the_one_before()
    {
        Incoming(2, "two");
        _cache.Keep(Job, 2);
        Assert.Equal("two", File.ReadAllText(Path.Combine(_cache.DirectoryFor(Job, 2), "images", "pages-1.img")));

        Incoming(3, "three");
        _cache.Keep(Job, 3);

        Assert.Equal(["3"], Sequences());
        Assert.Equal("three", File.ReadAllText(Path.Combine(_cache.DirectoryFor(Job, 3), "images", "pages-1.img")));
    }

    [Fact]
    public void A_newer_checkpoint_with_nothing_to_cache_still_removes_the_older_cache()
    {
        Incoming(2, "two");
        _cache.Keep(Job, 2);

        _cache.Keep(Job, 3);

        Assert.Empty(Sequences());
    }

    [Fact]
    public void What_an_unsealed_checkpoint_left_goes_with_the_next_one_sealed_or_when_discarded()
    {
        Incoming(2, "two");
        _cache.Keep(Job, 2);
        Incoming(3, "three, never sealed");
        Incoming(4, "four");

        _cache.Discard(Job, 4);
        Assert.Equal([".incoming-3", "2"], Sequences());
        _cache.Keep(Job, 5);

        Assert.Empty(Sequences());
    }

    [Fact]
    public void A_deleted_checkpoint_takes_its_cache_with_it_and_leaves_other_jobs_alone()
    {
        Incoming(2, "two");
        _cache.Keep(Job, 2);
        var other = new RestoreCache(new AgentPaths(Options.Create(new AgentOptions { DataDirectory = _directory.Path })));
        var otherImage = Path.Combine(other.Incoming("job-00000000bb", 2), "images", "pages-1.img");
        Directory.CreateDirectory(Path.GetDirectoryName(otherImage)!);
        File.WriteAllText(otherImage, "other");
        other.Keep("job-00000000bb", 2);

        _cache.Forget(Job, 1);
        Assert.True(Directory.Exists(_cache.DirectoryFor(Job, 2)));
        _cache.Forget(Job, 2);

        Assert.False(Directory.Exists(_cache.DirectoryFor(Job, 2)));
        Assert.True(Directory.Exists(other.DirectoryFor("job-00000000bb", 2)));
    }
}
