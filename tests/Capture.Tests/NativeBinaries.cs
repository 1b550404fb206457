namespace Caas.Capture.Tests;

/// <summary>
/// The native build and CRIU the end-to-end tests run: from env CAAS_SHIM, CAAS_CRIU and
/// CAAS_NATIVE_BIN (the directory holding counter and memhog), else from native/build of this repository.
/// </summary>
public static class NativeBinaries
{
    public static string Shim => Find("CAAS_SHIM", "shim/caas-shim");
    public static string Counter => Workload("counter");
    public static string Memhog => Workload("memhog");
    public static string Ring => Workload("ring");
    public static string CaptureCases => Workload("capture_cases");
    public static string Criu => Environment.GetEnvironmentVariable("CAAS_CRIU") is { Length: > 0 } criu
        ? Existing(criu, "CAAS_CRIU")
        : Existing(Engine.CaptureOptions.DefaultCriuPath, "the default CRIU path (run: bash scripts/install-criu.sh)");

    private static string Workload(string name) => Environment.GetEnvironmentVariable("CAAS_NATIVE_BIN") is { Length: > 0 } bin
        ? Existing(Path.Combine(bin, name), "CAAS_NATIVE_BIN")
        : Find(null, $"workloads/{name}");

    private static string Find(string? variable, string relativeToBuild)
    {
        if (variable is not null && Environment.GetEnvironmentVariable(variable) is { Length: > 0 } path)
            return Existing(path, variable);
        return Existing(Path.Combine(RepositoryRoot(), "native", "build", relativeToBuild),
            "native/build (run: cmake -S native -B native/build && cmake --build native/build)");
    }

    private static string Existing(string path, string source) =>
        File.Exists(path) ? path : throw new InvalidOperationException($"{path} does not exist; it comes from {source}.");

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
                return directory.FullName;
        throw new InvalidOperationException($"no Platform.sln above {AppContext.BaseDirectory}");
    }
}
