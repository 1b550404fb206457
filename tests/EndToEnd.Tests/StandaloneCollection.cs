namespace Caas.EndToEnd.Tests;

/// <summary>End-to-end tests share two cores with real CRIU dumps: run their platforms one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StandaloneCollection
{
    public const string Name = "standalone platform";
}
