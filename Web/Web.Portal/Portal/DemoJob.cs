namespace Caas.Web.Portal.Portal;

/// <summary>The bundled demo: the counter workload counting slowly enough to watch, checkpoint and restore.</summary>
public static class DemoJob
{
    public const string Name = "demo counter";
    public static readonly IReadOnlyList<string> Args = ["--target", "100000", "--rate", "10"];
    public static readonly TimeSpan StallThreshold = TimeSpan.FromSeconds(30);

    public static JobSpec Spec(string counterCommand) => new()
    {
        Command = counterCommand,
        Args = Args,
        Name = Name,
        StallThreshold = StallThreshold,
    };
}
