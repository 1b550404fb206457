using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class DistributedJobSpecTests
{
    private static readonly JobSpec Ring = new() { Command = "/opt/ring", Ranks = 3 };

    [Fact]
    public void A_job_of_ranks_running_one_command_is_valid() => Assert.Empty(JobSpecValidator.Validate(Ring));

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    [InlineData(JobDefaults.MaximumRanks + 1)]
    public void A_rank_count_outside_the_bounds_is_refused(int ranks) =>
        Assert.Equal([$"'ranks' must be between 1 and {JobDefaults.MaximumRanks} (one node per rank)."], JobSpecValidator.Validate(Ring with { Ranks = ranks }));

    [Fact]
    public void What_each_rank_cannot_have_is_named()
    {
        var problems = JobSpecValidator.Validate(Ring with { WorkingDirectory = "/tmp", Env = new Dictionary<string, string> { ["A"] = "1" }, MemoryLimitBytes = 64L << 20 });

        Assert.Equal(3, problems.Count);
        Assert.StartsWith("'workingDirectory' cannot be set for a distributed job", problems[0]);
        Assert.StartsWith("'env' cannot be set for a distributed job yet", problems[1]);
        Assert.StartsWith("'memoryLimit' cannot be set for a distributed job yet", problems[2]);
    }
}
