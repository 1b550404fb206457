using System.Security.Cryptography;
using Caas.Capture.Engine.Bundles;
using CsCheck;

namespace Caas.Capture.Tests;

/// <summary>
/// The bad manifests kept in tests/corpus/manifest (one file each; expected.tsv says whether the test signs it first
/// and the words the refusal must say): each, as the manifest of a bundle whose files are genuine, is refused by the
/// verifier before any engine could see the bundle, with its reason, and leaves every file of the bundle as it was.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ManifestCorpusTests : IDisposable
{
    private const string Job = "job-00000000aa";
    private static readonly string CorpusDirectory = Path.Combine(RepositoryRoot(), "tests", "corpus", "manifest");
    private readonly TemporaryDirectory _directory = new();
    private readonly CheckpointBundleVerifier _verifier = new(TestBundles.Signer);

    public void Dispose() => _directory.Dispose();

    public static TheoryData<string, string, string> Cases()
    {
        var cases = new TheoryData<string, string, string>();
        foreach (var line in File.ReadAllLines(Path.Combine(CorpusDirectory, "expected.tsv")).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var fields = line.Split('\t');
            cases.Add(fields[0], fields[1], fields[2]);
        }
        return cases;
    }

    [Fact]
    public void Every_manifest_in_the_corpus_has_an_expected_refusal_and_every_expectation_a_manifest()
    {
        var files = Directory.EnumerateFiles(CorpusDirectory, "*.json").Select(Path.GetFileNameWithoutExtension).Order();
        Assert.Equal(files, Cases().Select(c => (string)c[0]).Order());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_bad_manifest_is_refused_with_its_reason_and_changes_nothing(string name, string mode, string words)
    {
        var bundle = CheckpointBundle.For(_directory.Combine("checkpoints"), Job, 3);
        Directory.CreateDirectory(bundle.ImagesDirectory);
        File.WriteAllText(Path.Combine(bundle.ImagesDirectory, "core-1.img"), "core");
        File.Copy(Path.Combine(CorpusDirectory, $"{name}.json"), bundle.ManifestPath);
        if (mode == "signed")
            TestBundles.Resign(bundle, TestBundles.Signer);
        else
            Assert.Equal("as-is", mode);
        var before = Snapshot(bundle.Directory);

        var refused = await Assert.ThrowsAsync<CheckpointBundleRejectedException>(() => _verifier.VerifyAsync(bundle, Job, 3));

        Assert.Contains(words, refused.Reason);
        Assert.Equal(before, Snapshot(bundle.Directory));
    }

    [Fact]
    public async Task No_change_of_a_signed_manifests_bytes_gets_a_different_manifest_accepted_or_fails_other_than_with_a_refusal()
    {
        var bundle = CheckpointBundle.For(_directory.Combine("checkpoints"), Job, 3);
        Directory.CreateDirectory(bundle.ImagesDirectory);
        File.WriteAllText(Path.Combine(bundle.ImagesDirectory, "core-1.img"), "core");
        File.Copy(Path.Combine(CorpusDirectory, "unsigned.json"), bundle.ManifestPath);
        TestBundles.Resign(bundle, TestBundles.Signer);
        var genuine = File.ReadAllBytes(bundle.ManifestPath);
        var genuineCanonical = ManifestJson.Canonical((await _verifier.VerifyAsync(bundle, Job, 3)));

        // One to three bytes anywhere set to any value: each manifest is refused, or (a change the JSON reader does
        // not see, such as a key's letter case) accepted as exactly the genuine manifest.
        await Gen.Select(Gen.Int[0, genuine.Length - 1], Gen.Byte).Array[1, 3].SampleAsync(async edits =>
        {
            var mutated = (byte[])genuine.Clone();
            foreach (var (at, value) in edits)
                mutated[at] = value;
            await File.WriteAllBytesAsync(bundle.ManifestPath, mutated);
            try
            {
                var accepted = await _verifier.VerifyAsync(bundle, Job, 3);
                Assert.Equal(genuineCanonical, ManifestJson.Canonical(accepted));
            }
            catch (CheckpointBundleRejectedException refused)
            {
                Assert.False(string.IsNullOrWhiteSpace(refused.Reason));
            }
        }, iter: 300, threads: 1); // one bundle on disk: one edit at a time
        Assert.Equal(["core-1.img"], Directory.EnumerateFiles(bundle.ImagesDirectory).Select(Path.GetFileName));
    }

    /// <summary>Every file under the bundle with its SHA-256: what "changes nothing" is checked against.</summary>
    private static Dictionary<string, string> Snapshot(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Platform.sln) above " + AppContext.BaseDirectory);
    }
}
