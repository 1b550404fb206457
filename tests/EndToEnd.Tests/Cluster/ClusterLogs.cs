namespace Caas.EndToEnd.Tests.Cluster;

/// <summary>
/// Keeps the host's and agents' logs of a cluster under artifacts/cluster-logs/ when the cluster is taken down: its
/// directory goes with it, and a test that failed (above all one that failed in CI, on a loaded machine) is read
/// from these logs. The tests check that no log shows a secret, so keeping them is safe.
/// </summary>
internal static class ClusterLogs
{
    private static readonly string[] Kept = ["agent.log", "host.log"];

    public static void Keep(string clusterDirectory)
    {
        if (!System.IO.Directory.Exists(clusterDirectory))
            return;
        var target = Path.Combine(RepositoryLayout.Root, "artifacts", "cluster-logs", Path.GetFileName(clusterDirectory));
        foreach (var log in Kept.SelectMany(name => System.IO.Directory.EnumerateFiles(clusterDirectory, name, SearchOption.AllDirectories)))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(clusterDirectory, log));
            try
            {
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(log, copy, overwrite: true);
            }
            catch (IOException)
            {
                // A log that cannot be kept must not fail the test that is being torn down.
            }
        }
    }
}
