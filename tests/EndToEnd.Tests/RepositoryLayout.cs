namespace Caas.EndToEnd.Tests;

/// <summary>Where the built platform, native workloads and CRIU are, for tests run from the repository.</summary>
public static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration these tests were built in; the platform is built in the same one.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    public static string NativeBin => Environment.GetEnvironmentVariable("CAAS_NATIVE_BIN") ?? Path.Combine(Root, "native", "build", "bin");
    public static string Shim => Environment.GetEnvironmentVariable("CAAS_SHIM") ?? NativeBinary("caas-shim");
    public static string Criu => Environment.GetEnvironmentVariable("CAAS_CRIU") ?? "/opt/caas/criu/bin/criu";

    public static string NativeBinary(string name)
    {
        var path = Path.Combine(NativeBin, name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build native/ first (./caas test does).", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Platform.sln) above " + AppContext.BaseDirectory);
    }
}
