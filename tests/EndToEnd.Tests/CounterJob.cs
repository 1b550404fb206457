namespace Caas.EndToEnd.Tests;

/// <summary>Specs for the bundled `counter` workload, which reports count/target as its progress.</summary>
public static class CounterJob
{
    public const int Target = 1_000_000;

    public static object Spec(string name, int rate = 20, TimeSpan? stallThreshold = null, int target = Target) => new
    {
        command = RepositoryLayout.NativeBinary("counter"),
        args = new[] { "--target", target.ToString(), "--rate", rate.ToString() },
        name,
        stallThresholdSeconds = (stallThreshold ?? TimeSpan.FromMinutes(5)).TotalSeconds,
    };
}
